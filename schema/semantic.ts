import { BUILTIN_KIND_DEFINITIONS } from './builtin-kinds.ts';
import { DATE_TIME_PATTERN } from './fragments.ts';
import type { SchemaIssue } from './messages.ts';

/** A check JSON Schema cannot express, on a document of one kind; tolerates any shape. */
export type SemanticCheck = (doc: Record<string, unknown>) => SchemaIssue[];

const DATE_TIME = new RegExp(DATE_TIME_PATTERN);
const BUILTIN_KIND_NAMES = new Map(BUILTIN_KIND_DEFINITIONS.map((d) => [d.kind.toLowerCase(), d.kind]));

const specOf = (doc: Record<string, unknown>): Record<string, unknown> | undefined =>
  typeof doc.spec === 'object' && doc.spec !== null && !Array.isArray(doc.spec) ? (doc.spec as Record<string, unknown>) : undefined;

/** Milliseconds since the epoch of an RFC 3339 string, or undefined. */
export function parseDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !DATE_TIME.test(value)) return undefined;
  const ms = Date.parse(value.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** ChangeWindow: `end` after `start`. */
const windowIsOrdered: SemanticCheck = (doc) => {
  const spec = specOf(doc);
  const start = parseDateTime(spec?.start);
  const end = parseDateTime(spec?.end);
  if (start === undefined || end === undefined || end > start) return [];
  return [{ pointer: '/spec/end', message: `must be after start (${String(spec?.start)})` }];
};

/** The built-in kind `kind` names (case-insensitive), if any. */
export const builtinKindNamed = (kind: string): string | undefined => BUILTIN_KIND_NAMES.get(kind.toLowerCase());

export const redeclaresBuiltin = (kind: string): string =>
  `"${kind}" is the built-in kind ${builtinKindNamed(kind)}; choose another name`;

/** CIClass: must not redeclare a built-in kind. */
const classIsNew: SemanticCheck = (doc) => {
  const kind = specOf(doc)?.kind;
  if (typeof kind !== 'string' || builtinKindNamed(kind) === undefined) return [];
  return [{ pointer: '/spec/kind', message: redeclaresBuiltin(kind) }];
};

/** Checks by canonical kind, for cmdb/v1 documents. */
export const SEMANTIC_CHECKS: ReadonlyMap<string, SemanticCheck> = new Map([
  ['ChangeWindow', windowIsOrdered],
  ['CIClass', classIsNew],
]);
