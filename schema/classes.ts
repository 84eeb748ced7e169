import type { Ajv, ValidateFunction } from 'ajv';
import type { BuiltinSchemas } from './builtin.ts';
import type { CIClassDefinition } from './entity-validator.ts';
import { FORMATS } from './formats.ts';
import { KIND_NAME_PATTERN, type JsonSchema } from './fragments.ts';
import type { KindEntry } from './kind-table.ts';
import { childPointer, toIssues, type SchemaIssue } from './messages.ts';
import { closest } from './suggest.ts';
import { ajvModule, createAjv } from './ajv.ts';
import { builtinKindNamed, redeclaresBuiltin } from './builtin-names.ts';

/** The only JSON Schema dialect class schemas may declare in `$schema`. */
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
const KIND_NAME = new RegExp(KIND_NAME_PATTERN);

/** Keywords ajv knows in draft-07, to suggest a fix for a misspelt one. */
const KEYWORDS = [
  'type', 'properties', 'required', 'additionalProperties', 'patternProperties', 'items', 'additionalItems',
  'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength',
  'maxLength', 'pattern', 'format', 'minItems', 'maxItems', 'uniqueItems', 'contains', 'minProperties',
  'maxProperties', 'propertyNames', 'dependencies', 'anyOf', 'allOf', 'oneOf', 'not', 'if', 'then', 'else',
  'definitions', 'default', 'description', 'title', 'examples', '$ref', '$id', '$comment', 'errorMessage',
];

export type ClassCompilation = { ok: true; entry: KindEntry } | { ok: false; issues: SchemaIssue[] };

/**
 * Compiles one declared kind into `ajv` (an instance holding only class
 * schemas, created with `validateSchemas: false`: the schema is checked
 * against the meta-schema here, by checker()). `declared` holds the
 * lower-case kinds accepted so far. Issues point into the CIClass document
 * (/spec/kind, /spec/schema/...).
 */
export function compileClass(
  ajv: Ajv,
  builtins: BuiltinSchemas,
  def: CIClassDefinition,
  declared: ReadonlySet<string>,
): ClassCompilation {
  const problem = kindProblem(def.kind, declared) ?? schemaProblem(def.schema);
  if (problem) return { ok: false, issues: [problem] };
  const schema = def.schema as JsonSchema;
  const id = `cmdb:class/${def.kind.toLowerCase()}`;
  try {
    const meta = checker();
    if (!meta.validateSchema(schema)) return { ok: false, issues: toIssues(meta.errors, '/spec/schema') };
    const validate = ajv.compile({ ...schema, $id: id });
    return { ok: true, entry: classEntry(def.kind, builtins, validate) };
  } catch (error) {
    ajv.removeSchema(id);
    return { ok: false, issues: [compileIssue(error, schema)] };
  }
}

/**
 * Problems of a class schema on its own (dialect, type, meta-schema,
 * compilation), pointing under /spec/schema: part of validating the CIClass
 * document itself. Compiled in one shared ajv instance, and removed from it again.
 */
export function classSchemaIssues(schema: unknown): SchemaIssue[] {
  const problem = schemaProblem(schema);
  if (problem) return [problem];
  const ajv = checker();
  try {
    if (!ajv.validateSchema(schema as JsonSchema)) return toIssues(ajv.errors, '/spec/schema');
    ajv.compile(schema as JsonSchema);
    return [];
  } catch (error) {
    return [compileIssue(error, schema as JsonSchema)];
  } finally {
    ajv.removeSchema(schema as JsonSchema);
    if (typeof (schema as JsonSchema).$id === 'string') ajv.removeSchema((schema as JsonSchema).$id as string);
  }
}

/**
 * The ajv instance class schemas are checked against the draft-07
 * meta-schema with, and that classSchemaIssues compiles in (each schema
 * removed after): one per thread, so the meta-schema is compiled once (~20 ms).
 */
let checking: Ajv | undefined;
const checker = (): Ajv => (checking ??= createAjv({ validateSchemas: true }));

function kindProblem(kind: unknown, declared: ReadonlySet<string>): SchemaIssue | undefined {
  const pointer = '/spec/kind';
  if (typeof kind !== 'string' || !KIND_NAME.test(kind) || kind.length > 63) {
    return { pointer, message: 'must be a PascalCase kind name of at most 63 characters, such as Database' };
  }
  if (builtinKindNamed(kind)) return { pointer, message: redeclaresBuiltin(kind) };
  if (declared.has(kind.toLowerCase())) return { pointer, message: `kind "${kind}" is already declared by another CIClass` };
  return undefined;
}

function schemaProblem(schema: unknown): SchemaIssue | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return { pointer: '/spec/schema', message: 'must be a map: a JSON Schema describing the spec' };
  }
  if (isCyclic(schema)) {
    return { pointer: '/spec/schema', message: 'must not contain itself (a YAML alias inside its own anchor); use "$ref" instead' };
  }
  const { $schema, type } = schema as JsonSchema;
  if ($schema !== undefined && !(typeof $schema === 'string' && DRAFT_07.test($schema))) {
    return {
      pointer: '/spec/schema/$schema',
      message: `unsupported JSON Schema dialect ${JSON.stringify($schema)}; class schemas use draft-07 (remove $schema)`,
    };
  }
  const types = Array.isArray(type) ? type : [type];
  if (type !== undefined && !types.includes('object')) {
    return { pointer: '/spec/schema/type', message: 'must be object: the schema describes the spec, which is a map' };
  }
  return undefined;
}

/** True when `value` contains itself. */
function isCyclic(value: unknown, path = new Set<unknown>()): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (path.has(value)) return true;
  path.add(value);
  const cyclic = Object.values(value).some((child) => isCyclic(child, path));
  path.delete(value);
  return cyclic;
}

/** Checks envelope, well-known spec fields and the class schema; spec issues point under /spec. */
function classEntry(kind: string, builtins: BuiltinSchemas, validate: ValidateFunction): KindEntry {
  return {
    kind,
    check(doc): SchemaIssue[] {
      const envelope = builtins.envelope();
      const wellKnownFields = builtins.wellKnownFields();
      const issues = envelope(doc) ? [] : toIssues(envelope.errors);
      const spec = doc.spec;
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return issues;
      if (!wellKnownFields(spec)) issues.push(...toIssues(wellKnownFields.errors, '/spec'));
      if (!validate(spec)) issues.push(...toIssues(validate.errors, '/spec'));
      return dedupe(issues);
    },
  };
}

function dedupe(issues: SchemaIssue[]): SchemaIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.pointer}\u0000${i.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** An issue for an exception of ajv.compile, pointing at the offending place when it can be found. */
function compileIssue(error: unknown, schema: JsonSchema): SchemaIssue {
  const base = '/spec/schema';
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ajvModule().MissingRefError) {
    const ref = (node: Record<string, unknown>) => (typeof node.$ref === 'string' ? node.$ref : undefined);
    const at = findPointer(schema, (node) => ref(node) !== undefined && (ref(node) === error.missingRef || error.missingRef.endsWith(ref(node)!)));
    return {
      pointer: at === undefined ? base : `${base}${at}/$ref`,
      message: `cannot resolve $ref "${error.missingRef}"; class schemas must be self-contained (use "#/definitions/...")`,
    };
  }
  const keyword = /^strict mode: unknown keyword: "([^"]*)"/.exec(message)?.[1];
  if (keyword !== undefined) {
    const at = findPointer(schema, (node, path) => Object.hasOwn(node, keyword) && !SCHEMA_MAP.test(path));
    const guess = closest(keyword, KEYWORDS);
    return {
      pointer: at === undefined ? base : childPointer(`${base}${at}`, keyword),
      message: `unknown JSON Schema keyword "${keyword}"${guess ? `; did you mean "${guess}"?` : ''}`,
    };
  }
  const format = /^unknown format "([^"]*)" ignored in schema at path "#([^"]*)"/.exec(message);
  if (format) {
    return {
      pointer: `${base}${format[2]}/format`,
      message: `unknown format "${format[1]}"; supported: ${Object.keys(FORMATS).join(', ')}`,
    };
  }
  if (message.startsWith('Invalid regular expression')) {
    const at = findPointer(schema, (node) => typeof node.pattern === 'string' && !isRegExp(node.pattern));
    if (at !== undefined) return { pointer: `${base}${at}/pattern`, message: `is not a valid regular expression: ${message.replace(/^.*: /, '')}` };
  }
  return { pointer: base, message: `is not a usable JSON Schema: ${message}` };
}

/** True when ajv can compile `pattern` (it uses the "u" flag). */
function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** A pointer to a map of names to schemas (whose keys are names, not keywords). */
const SCHEMA_MAP = /\/(properties|patternProperties|definitions|dependencies)$/;

/** JSON pointer (relative to `root`) of the first object node, depth first, satisfying `test`. */
function findPointer(
  root: unknown,
  test: (node: Record<string, unknown>, path: string) => boolean,
  path = '',
  seen = new Set<unknown>(),
): string | undefined {
  if (typeof root !== 'object' || root === null || seen.has(root)) return undefined;
  seen.add(root);
  if (!Array.isArray(root) && test(root as Record<string, unknown>, path)) return path;
  for (const [key, value] of Object.entries(root)) {
    const found = findPointer(value, test, childPointer(path, key), seen);
    if (found !== undefined) return found;
  }
  return undefined;
}
