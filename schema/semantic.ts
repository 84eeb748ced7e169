import { builtinKindNamed, redeclaresBuiltin } from './builtin-names.ts';
import { classSchemaIssues } from './classes.ts';
import { DATE_TIME_PATTERN } from './fragments.ts';
import type { SchemaIssue } from './messages.ts';

/** A check JSON Schema cannot express, on a document of one kind; tolerates any shape. */
export type SemanticCheck = (doc: Record<string, unknown>) => SchemaIssue[];

const DATE_TIME = new RegExp(DATE_TIME_PATTERN);

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

/**
 * CIClass: must not redeclare a built-in kind, and its schema must be a
 * usable draft-07 JSON Schema on its own (problems at the offending keyword).
 * Whether another class declares the same kind is known only once every
 * class is read (createValidator).
 */
const classIsNew: SemanticCheck = (doc) => {
  const spec = specOf(doc);
  const kind = spec?.kind;
  const schema = spec?.schema;
  const issues = typeof kind === 'string' && builtinKindNamed(kind) !== undefined ? [{ pointer: '/spec/kind', message: redeclaresBuiltin(kind) }] : [];
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? [...issues, ...classSchemaIssues(schema)] : issues;
};

/** Checks by canonical kind, for cmdb/v1 documents. */
export const SEMANTIC_CHECKS: ReadonlyMap<string, SemanticCheck> = new Map([
  ['ChangeWindow', windowIsOrdered],
  ['CIClass', classIsNew],
]);
