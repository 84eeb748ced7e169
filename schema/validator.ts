import { createAjv } from './ajv.ts';
import { BUILTIN_KIND_DEFINITIONS } from './builtin-kinds.ts';
import { builtinSchemas } from './builtin.ts';
import { compileClass } from './classes.ts';
import { FAMILY_OF_API_VERSION } from './envelope.ts';
import type { CIClassDefinition, EntityValidator } from './entity-validator.ts';
import { shortHash, stableStringify } from './fingerprint.ts';
import { TableValidator } from './table-validator.ts';
import type { SchemaIssue } from './messages.ts';

export type { CIClassDefinition, EntityValidator, SchemaIssue } from './entity-validator.ts';

/** apiVersions read: cmdb/v1 and Backstage's two. */
export const SUPPORTED_API_VERSIONS: readonly string[] = [...FAMILY_OF_API_VERSION.keys()];

/** Canonical names of the built-in kinds. */
export const BUILTIN_KINDS: readonly string[] = BUILTIN_KIND_DEFINITIONS.map((d) => d.kind);

/** A problem of a rejected class: `kind` as written, and where it is when the class has a `source`. */
export type ClassIssue = SchemaIssue & { kind: string; file?: string; line?: number; column?: number };

export interface CreatedValidator {
  validator: EntityValidator;
  /** One per problem of a rejected class, at the offending node of its CIClass document (nearest known ancestor of the pointer). */
  issues: ClassIssue[];
}

/** Issues by the index of their class, as compiled (the cache holds them without places). */
interface Compiled {
  validator: EntityValidator;
  issues: Array<SchemaIssue & { kind: string; index: number }>;
}

let builtin: EntityValidator | undefined;

/** The validator of the built-in kinds, compiled once per process. */
export function builtinValidator(): EntityValidator {
  if (builtin === undefined) {
    const schemas = builtinSchemas();
    builtin = new TableValidator(schemas.table, schemas.fingerprint);
  }
  return builtin;
}

const CACHE_SIZE = 16;
const cache = new Map<string, Compiled>();

/**
 * Built-in kinds plus the kinds `classes` declare (under cmdb/v1). A class
 * that redeclares a built-in kind or an earlier class, or whose schema is not
 * a usable draft-07 JSON Schema, is left out with an issue pointing into its
 * CIClass document. Never throws. Results are memoized by class content.
 */
export function createValidator(options: { classes: readonly CIClassDefinition[] }): CreatedValidator {
  if (options.classes.length === 0) return { validator: builtinValidator(), issues: [] };
  const key = stableStringify(options.classes.map((c) => [c.kind, c.schema]));
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = compileClasses(options.classes, key);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  return { validator: compiled.validator, issues: compiled.issues.map(({ index, ...issue }) => ({ ...issue, ...placeOf(options.classes[index], issue.pointer) })) };
}

/** File, line and column of a pointer into a class's CIClass document: its node, else its nearest ancestor with a position, else the document. */
function placeOf(def: CIClassDefinition, pointer: string): { file?: string; line?: number; column?: number } {
  if (!def.source) return {};
  for (let p = pointer; def.positions; p = p.slice(0, p.lastIndexOf('/'))) {
    const at = def.positions[p];
    if (at) return { file: def.source.file, line: at[0], column: at[1] };
    if (p === '') break;
  }
  return { ...def.source };
}

function compileClasses(classes: readonly CIClassDefinition[], key: string): Compiled {
  const builtins = builtinSchemas();
  const table = builtins.table.clone();
  const ajv = createAjv({ validateSchemas: false }); // compileClass checks each schema against the meta-schema
  const declared = new Set<string>();
  const issues: Compiled['issues'] = [];
  classes.forEach((def, index) => {
    const result = compileClass(ajv, builtins, def, declared);
    if (!result.ok) {
      issues.push(...result.issues.map((issue) => ({ ...issue, kind: String(def.kind), index })));
      return;
    }
    declared.add(def.kind.toLowerCase());
    table.add('cmdb', result.entry);
  });
  return { validator: new TableValidator(table, `${builtins.fingerprint}+${shortHash(key)}`), issues };
}
