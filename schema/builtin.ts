import type { Ajv, ValidateFunction } from 'ajv';
import { createAjv } from './ajv.ts';
import { BUILTIN_KIND_DEFINITIONS } from './builtin-kinds.ts';
import { entitySchema, metadataSchema, type Family } from './envelope.ts';
import { shortHash, stableStringify } from './fingerprint.ts';
import { observeSchema, type JsonSchema } from './fragments.ts';
import { CEL_TYPES, CEL_VARIABLES } from './expressions.ts';
import { genericSpecSchema } from './generic-kind.ts';
import { KindTable, type KindEntry } from './kind-table.ts';
import { toIssues, type SchemaIssue } from './messages.ts';
import { SEMANTIC_CHECKS } from './semantic.ts';
import { wellKnownFieldsSchema } from './well-known-fields.ts';

/** Bump when the meaning of the schemas changes without their text changing. */
export const SCHEMA_VERSION = 2;

/** The built-in schemas, compiled: one validate function per (family, kind). */
export interface BuiltinSchemas {
  table: KindTable;
  /** cmdb/v1 envelope with any object as `spec`, for declared kinds (compiled on first call). */
  envelope: () => ValidateFunction;
  /** Types of the spec fields that mean something to the controller (owner, dependsOn, observe, ...), for declared kinds. */
  wellKnownFields: () => ValidateFunction;
  fingerprint: string;
}

let memo: BuiltinSchemas | undefined;

/** Compiles the built-in schemas once per process. */
export function builtinSchemas(): BuiltinSchemas {
  memo ??= compileBuiltins();
  return memo;
}

/** Schemas the entity schemas refer to by `$id`: metadata of each family, observe. */
export function sharedSchemas(): JsonSchema[] {
  return [metadataSchema('cmdb'), metadataSchema('backstage'), observeSchema];
}

/** The schema of every (family, kind) pair (each has an `$id`; they refer to sharedSchemas()). */
export function builtinEntitySchemas(): Array<{ family: Family; kind: string; schema: JsonSchema }> {
  return BUILTIN_KIND_DEFINITIONS.flatMap((def) => [
    { family: 'cmdb' as const, kind: def.kind, schema: entitySchema('cmdb', entityId('cmdb', def.kind), def.cmdb) },
    ...(def.backstage
      ? [{ family: 'backstage' as const, kind: def.kind, schema: entitySchema('backstage', entityId('backstage', def.kind), def.backstage) }]
      : []),
  ]);
}

const entityId = (family: Family, kind: string): string => `cmdb:schema/entity/${family}/${kind}`;

function compileBuiltins(): BuiltinSchemas {
  const ajv = createAjv({ validateSchemas: false });
  const shared = sharedSchemas();
  ajv.addSchema(shared);
  const schemas = builtinEntitySchemas();
  const table = new KindTable();
  for (const { family, kind, schema } of schemas) table.add(family, builtinEntry(ajv, family, kind, schema));
  const generic = genericEntitySchema();
  table.setGeneric('backstage', genericEntries(ajv, generic));
  const envelopeSchema = entitySchema('cmdb', 'cmdb:schema/entity/cmdb/declared', { type: 'object' });
  const wellKnown = wellKnownFieldsSchema();
  const fingerprint = `cmdb-schema-${SCHEMA_VERSION}-${shortHash(stableStringify([schemas, shared, generic, envelopeSchema, wellKnown, CEL_TYPES, CEL_VARIABLES]))}`;
  return { table, envelope: lazy(ajv, envelopeSchema), wellKnownFields: lazy(ajv, wellKnown), fingerprint };
}

/** Compiled on first use: a process pays only for the kinds it meets. */
function builtinEntry(ajv: Ajv, family: Family, kind: string, schema: JsonSchema): KindEntry {
  let validate: ValidateFunction | undefined;
  const semantic = family === 'cmdb' ? SEMANTIC_CHECKS.get(kind) : undefined;
  return {
    kind,
    check(doc): SchemaIssue[] {
      validate ??= ajv.compile(schema);
      const issues = validate(doc) ? [] : toIssues(validate.errors);
      return semantic ? [...issues, ...semantic(doc)] : issues;
    },
  };
}

/** A Backstage document of a kind read generically: the envelope (spec optional, as in Backstage's envelope) and genericSpecSchema. */
function genericEntitySchema(): JsonSchema {
  const schema = entitySchema('backstage', 'cmdb:schema/entity/backstage/generic', genericSpecSchema);
  return { ...schema, required: ['apiVersion', 'kind', 'metadata'] };
}

/** Entries for kinds read generically, sharing one compiled schema. */
function genericEntries(ajv: Ajv, schema: JsonSchema): (kind: string) => KindEntry {
  const validate = lazy(ajv, schema);
  return (kind) => ({
    kind,
    generic: true,
    check: (doc) => (validate()(doc) ? [] : toIssues(validate().errors)),
  });
}

/** A getter compiling `schema` on its first call. */
function lazy(ajv: Ajv, schema: JsonSchema): () => ValidateFunction {
  let validate: ValidateFunction | undefined;
  return () => (validate ??= ajv.compile(schema));
}

/** Compiles every built-in schema now (tests, benchmarks, warming a worker up); returns the milliseconds spent. */
export function compileAllBuiltins(): number {
  const started = performance.now();
  const { table, envelope, wellKnownFields } = builtinSchemas();
  for (const family of ['cmdb', 'backstage'] as const) {
    for (const kind of table.kindsOf(family)) table.get(family, kind)!.check({});
  }
  envelope();
  wellKnownFields();
  return performance.now() - started;
}
