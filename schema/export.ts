import { BUILTIN_KIND_DEFINITIONS } from './builtin-kinds.ts';
import { sharedSchemas } from './builtin.ts';
import type { CIClassDefinition } from './entity-validator.ts';
import { entitySchema, FAMILY_OF_API_VERSION, type Family } from './envelope.ts';
import { CmdbError } from '../core/errors.ts';
import { HINT_KEYWORD, type JsonSchema } from './fragments.ts';
import type { KindDefinition } from './kinds/kind-definition.ts';
import { wellKnownFieldsSchema } from './well-known-fields.ts';

/**
 * JSON Schemas for editors (the YAML language server, VS Code, IntelliJ):
 * one standalone draft-07 document per kind, describing a whole document
 * (apiVersion, kind, metadata, spec). They are assembled from the very
 * schemas the validator compiles (schema/kinds/, envelope.ts, fragments.ts,
 * well-known-fields.ts): the `$ref`s between those (by `cmdb:schema/...` id)
 * become local `#/definitions/...` pointers, so every file is self-contained.
 * What JSON Schema cannot say (a ChangeWindow's end after its start, CEL
 * type-checks, references to existing entities) is left to `cmdb validate`.
 */

/** One exported schema: its file name (`component.schema.json`) and content. */
export interface ExportedSchema {
  file: string;
  /** Canonical kind name, or undefined for the all-kinds dispatcher. */
  kind?: string;
  schema: JsonSchema;
}

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
/** File of the schema that dispatches on apiVersion and kind; a kind name cannot contain "-", so no kind's file clashes with it. */
export const ALL_KINDS_FILE = 'all-kinds.schema.json';

/** The file an exported kind's schema is written to. */
export const schemaFileOf = (kind: string): string => `${kind.toLowerCase()}.schema.json`;

const schemaId = (file: string): string => `urn:gitops-cmdb:schema:${file.replace(/\.schema\.json$/, '')}`;

/** Keywords whose value is a schema, an array of schemas, or a map of names to schemas (draft-07). */
const SCHEMA_VALUED = new Set(['items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else']);
const SCHEMA_ARRAYS = new Set(['allOf', 'anyOf', 'oneOf', 'items']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);

/**
 * A copy of `schema` with every `$ref` mapped by `rewrite`; only keyword
 * positions are visited, never data (enum, const, default, examples) nor
 * property names.
 */
export function mapRefs(schema: unknown, rewrite: (ref: string) => string): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') out[key] = rewrite(value);
    else if (SCHEMA_ARRAYS.has(key) && Array.isArray(value)) out[key] = value.map((s) => mapRefs(s, rewrite));
    else if (SCHEMA_VALUED.has(key)) out[key] = mapRefs(value, rewrite);
    else if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, Array.isArray(s) ? s : mapRefs(s, rewrite)]));
    } else out[key] = value;
  }
  return out;
}

/** Definition name of a shared schema: `cmdb:schema/metadata/cmdb` -> `metadata-cmdb`. */
const definitionName = (id: string): string => id.replace(/^cmdb:schema\//, '').replaceAll('/', '-');

/** The shared schemas as local definitions, and the rewrite of their ids into pointers at them. */
function sharedDefinitions(): { definitions: Record<string, JsonSchema>; localize: (schema: JsonSchema) => JsonSchema } {
  const shared = [...sharedSchemas(), wellKnownFieldsSchema()];
  const pointers = new Map(shared.map((s) => [String(s.$id), `#/definitions/${definitionName(String(s.$id))}`]));
  const localize = (schema: JsonSchema): JsonSchema => {
    const { $id: _id, ...rest } = schema;
    return mapRefs(rest, (ref) => {
      if (ref.startsWith('#')) return ref;
      const local = pointers.get(ref);
      if (local === undefined) throw new CmdbError(`exported schema refers to ${ref}, which is not a shared schema`, { code: 'internal' });
      return local;
    }) as JsonSchema;
  };
  const definitions = Object.fromEntries(shared.map((s) => [definitionName(String(s.$id)), localize(s)]));
  return { definitions, localize };
}

/** `schema` with only the definitions its root reaches (directly or through other definitions). */
function pruneDefinitions(schema: JsonSchema): JsonSchema {
  const { definitions = {}, ...root } = schema as JsonSchema & { definitions?: Record<string, JsonSchema> };
  const reached = new Set<string>();
  const visit = (node: unknown): void => {
    mapRefs(node, (ref) => {
      const name = /^#\/definitions\/([^/]+)/.exec(ref)?.[1];
      if (name !== undefined && !reached.has(name) && Object.hasOwn(definitions, name)) {
        reached.add(name);
        visit(definitions[name]);
      }
      return ref;
    });
  };
  visit(root);
  const kept = Object.keys(definitions).filter((name) => reached.has(name));
  return { ...root, definitions: Object.fromEntries(kept.map((name) => [name, definitions[name]])) };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Letters matched in either case, as the validator looks kinds up. */
const caseInsensitive = (name: string): string =>
  `^${[...name].map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toUpperCase()}${c.toLowerCase()}]` : escapeRegExp(c))).join('')}$`;

const kindProperty = (kind: string): JsonSchema => ({
  type: 'string',
  pattern: caseInsensitive(kind),
  examples: [kind],
  description: `${kind} (matched case-insensitively).`,
  [HINT_KEYWORD]: `must be ${kind}`,
});

/** apiVersions of a family, from the validator's table. */
const versionsOf = (family: Family): string[] => [...FAMILY_OF_API_VERSION].filter(([, f]) => f === family).map(([v]) => v);

const apiVersionProperty = (versions: readonly string[]): JsonSchema => ({
  enum: [...versions],
  description: versions.length === 1 ? 'The apiVersion of this kind.' : `cmdb/v1 for this project's strict form; ${versions.slice(1).join(' or ')} for a Backstage descriptor (extra spec fields allowed).`,
});

/** The whole-document schema of one family of a built-in kind, with local refs. */
function familyDocument(family: Family, spec: JsonSchema, localize: (s: JsonSchema) => JsonSchema): JsonSchema {
  return localize(entitySchema(family, 'cmdb:schema/export', spec));
}

/** The standalone schema of one built-in kind (both apiVersion families when Backstage has the kind). */
export function builtinKindSchema(def: KindDefinition): ExportedSchema {
  const { definitions, localize } = sharedDefinitions();
  const families: Family[] = def.backstage ? ['cmdb', 'backstage'] : ['cmdb'];
  const byFamily: Record<string, JsonSchema> = {};
  for (const family of families) byFamily[`${def.kind}-${family}`] = familyDocument(family, family === 'cmdb' ? def.cmdb : def.backstage!, localize);
  const dispatch: JsonSchema = def.backstage
    ? {
        if: { properties: { apiVersion: { const: versionsOf('cmdb')[0] } } },
        then: { $ref: `#/definitions/${def.kind}-cmdb` },
        else: { $ref: `#/definitions/${def.kind}-backstage` },
      }
    : { allOf: [{ $ref: `#/definitions/${def.kind}-cmdb` }] };
  return wholeDocument({
    kind: def.kind,
    description: `${def.description} A whole ${def.kind} document of a gitops-cmdb catalog; \`cmdb validate\` also checks references and rules JSON Schema cannot express.`,
    apiVersions: families.flatMap(versionsOf),
    body: dispatch,
    definitions: { ...byFamily, ...definitions },
  });
}

/** The standalone schema file of one kind: the envelope every exported kind shares around `body`. */
function wholeDocument(o: { kind: string; description: string; apiVersions: string[]; body: JsonSchema; definitions: Record<string, JsonSchema> }): ExportedSchema {
  const file = schemaFileOf(o.kind);
  return {
    file,
    kind: o.kind,
    schema: pruneDefinitions({
      $schema: DRAFT_07,
      $id: schemaId(file),
      title: `gitops-cmdb ${o.kind}`,
      description: o.description,
      type: 'object',
      required: ['apiVersion', 'kind', 'metadata', 'spec'],
      properties: { apiVersion: apiVersionProperty(o.apiVersions), kind: kindProperty(o.kind) },
      ...o.body,
      definitions: o.definitions,
    }),
  };
}

/** Whole documents of a CIClass-declared kind: cmdb/v1 envelope, the well-known spec fields and the class's own schema, as the validator checks them. */
function classDocument(localize: (s: JsonSchema) => JsonSchema, at: string): JsonSchema {
  const spec: JsonSchema = { type: 'object', allOf: [{ $ref: '#/definitions/well-known-fields' }, { $ref: at }] };
  return localize(entitySchema('cmdb', 'cmdb:schema/export', spec));
}

/** A class schema moved under `#/definitions/<name>`: its own local refs follow it; its `$schema` and `$id` go. */
function relocate(schema: object, name: string): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema as JsonSchema;
  return mapRefs(rest, (ref) => (ref === '#' || ref.startsWith('#/') ? `#/definitions/${name}${ref.slice(1)}` : ref)) as JsonSchema;
}

/** The standalone schema of a kind a CIClass declares (the class must be one the validator accepts). */
export function classKindSchema(def: CIClassDefinition): ExportedSchema {
  const { definitions, localize } = sharedDefinitions();
  const specName = `${def.kind}-spec`;
  return wholeDocument({
    kind: def.kind,
    description: `A whole ${def.kind} document (a kind declared by a CIClass of the config repo).`,
    apiVersions: versionsOf('cmdb'),
    body: { allOf: [{ $ref: `#/definitions/${def.kind}-cmdb` }] },
    definitions: { [`${def.kind}-cmdb`]: classDocument(localize, `#/definitions/${specName}`), [specName]: relocate(def.schema, specName), ...definitions },
  });
}

/**
 * One schema for every document of a catalog file, whatever its kind: it
 * applies the schema of the document's apiVersion and kind, and leaves
 * documents that are not entities of a known kind alone (a multi-document
 * file may mix kinds; other YAML is skipped by the catalog too).
 */
export function allKindsSchema(kinds: readonly ExportedSchema[]): ExportedSchema {
  const definitions: Record<string, JsonSchema> = {};
  const branches: JsonSchema[] = [];
  for (const { kind, schema } of kinds) {
    if (kind === undefined) continue;
    const { definitions: own, ...document } = schema as JsonSchema & { definitions: Record<string, JsonSchema> };
    Object.assign(definitions, own);
    const { $schema: _s, $id: _i, title: _t, ...body } = document;
    definitions[kind] = body;
    const versions = (body.properties as { apiVersion: { enum: string[] } }).apiVersion.enum;
    branches.push({
      if: { required: ['apiVersion', 'kind'], properties: { apiVersion: { enum: versions }, kind: { pattern: caseInsensitive(kind) } } },
      then: { $ref: `#/definitions/${kind}` },
    });
  }
  const names = kinds.flatMap((k) => (k.kind === undefined ? [] : [k.kind]));
  const versions = [...FAMILY_OF_API_VERSION.keys()];
  const prefixes = [...new Set(versions.map((v) => v.slice(0, v.indexOf('/') + 1)))];
  // An apiVersion of our families that is not one of theirs is an error; any other is not an entity.
  branches.unshift({
    if: { required: ['apiVersion'], properties: { apiVersion: { type: 'string', pattern: `^(${prefixes.map(escapeRegExp).join('|')})` } } },
    then: { properties: { apiVersion: { enum: versions } } },
  });
  branches.push(...closedFamilies(kinds));
  return {
    file: ALL_KINDS_FILE,
    schema: {
      $schema: DRAFT_07,
      $id: schemaId(ALL_KINDS_FILE),
      title: 'gitops-cmdb catalog document',
      description: `Any document of a gitops-cmdb catalog file: ${names.join(', ')}. Each is checked against its kind's schema.`,
      type: 'object',
      properties: {
        apiVersion: { type: 'string', examples: [...FAMILY_OF_API_VERSION.keys()] },
        kind: { type: 'string', examples: names },
      },
      allOf: branches,
      definitions,
    },
  };
}

/**
 * For each family other than cmdb/v1 (the only one CIClass kinds join): its
 * apiVersions name one of its kinds, as the validator requires.
 */
function closedFamilies(kinds: readonly ExportedSchema[]): JsonSchema[] {
  return (['backstage'] as const satisfies readonly Exclude<Family, 'cmdb'>[]).map((family) => {
    const versions = versionsOf(family);
    const names = kinds.filter((k) => k.kind !== undefined && versionsOf(family).every((v) => apiVersionsOf(k).includes(v))).map((k) => k.kind!);
    return {
      if: { required: ['apiVersion'], properties: { apiVersion: { enum: versions } } },
      then: { properties: { kind: { type: 'string', pattern: names.map((n) => caseInsensitive(n)).join('|'), [HINT_KEYWORD]: `must be one of ${names.join(', ')} under ${versions.join(' and ')}` } } },
    };
  });
}

const apiVersionsOf = (k: ExportedSchema): string[] => ((k.schema.properties as { apiVersion: { enum: string[] } }).apiVersion.enum);

/** The schema of every built-in kind, in docs/catalog.md's order, then the all-kinds dispatcher. */
export function builtinJsonSchemas(): ExportedSchema[] {
  const kinds = BUILTIN_KIND_DEFINITIONS.map(builtinKindSchema);
  return [...kinds, allKindsSchema(kinds)];
}

/** Built-in kinds plus the kinds of `classes` (each accepted by the validator), and a dispatcher over all of them. */
export function jsonSchemasWithClasses(classes: readonly CIClassDefinition[]): ExportedSchema[] {
  const kinds = [...BUILTIN_KIND_DEFINITIONS.map(builtinKindSchema), ...classes.map(classKindSchema)];
  return [...kinds, allKindsSchema(kinds)];
}

/** The text written for an exported schema (stable: two spaces, a final newline). */
export const schemaText = (schema: JsonSchema): string => `${JSON.stringify(schema, null, 2)}\n`;
