import { describe, expect, it } from 'vitest';
import { builtinValidator, createValidator, type CIClassDefinition } from '../../schema/index.ts';
import { cmdb, yamlDocs } from './fixtures.ts';

const DATABASE_CLASS = `
apiVersion: cmdb/v1
kind: CIClass
metadata:
  name: database
spec:
  kind: Database
  description: A managed database instance
  schema:
    type: object
    required: [engine, owner]
    additionalProperties: false
    properties:
      engine: {enum: [postgres, mysql]}
      version: {type: string}
      owner: {type: string}
      criticality: {type: string}
      dependsOn: {type: array, items: {type: string}}
      sizeGi: {type: integer, minimum: 1}
      endpoint: {$ref: "#/definitions/endpoint"}
    definitions:
      endpoint:
        type: object
        required: [host]
        properties:
          host: {type: string, format: hostname}
          port: {type: integer, minimum: 1, maximum: 65535}
`;

/** The CIClass definition the catalog would build from a CIClass document. */
function classFrom(yaml: string): CIClassDefinition {
  const [doc] = yamlDocs(yaml) as Array<{ spec: { kind: string; schema: object } }>;
  expect(builtinValidator().validate(doc)).toEqual([]);
  return { kind: doc.spec.kind, schema: doc.spec.schema, source: { file: 'classes/database.yaml', line: 2, column: 1 } };
}

const database = classFrom(DATABASE_CLASS);
const entity = (spec: unknown, kind = 'Database') => ({ apiVersion: 'cmdb/v1', kind, metadata: { name: 'orders-db' }, spec });

describe('CIClass', () => {
  it('declares a kind that validates with its schema', () => {
    const { validator, issues } = createValidator({ classes: [database] });
    expect(issues).toEqual([]);
    expect(validator.resolveKind('cmdb/v1', 'database')).toBe('Database');
    expect(validator.resolveKind('backstage.io/v1alpha1', 'Database')).toBeUndefined();
    expect(validator.resolveKind('cmdb/v1', 'Component')).toBe('Component');
    const spec = { engine: 'postgres', owner: 'group:dba', sizeGi: 20, endpoint: { host: 'orders.db.internal', port: 5432 } };
    expect(validator.validate(entity(spec))).toEqual([]);
    expect(validator.validate(entity(spec, 'DATABASE'))).toEqual([]);
  });

  it('reports envelope and spec problems of a declared kind with pointers', () => {
    const { validator } = createValidator({ classes: [database] });
    const doc = {
      ...entity({ engine: 'oracle', sizeGi: 0, endpoint: { host: 'not a host!', port: 70000 }, extra: true }),
      metadata: { name: 'orders-db', lables: {} },
    };
    expect(validator.validate(doc)).toEqual([
      { pointer: '/metadata/lables', message: 'unknown field "lables"; did you mean "labels"?' },
      { pointer: '/spec', message: 'missing required field "owner"' },
      { pointer: '/spec/extra', message: 'unknown field "extra"; expected one of engine, version, owner, criticality, dependsOn, sizeGi, endpoint' },
      { pointer: '/spec/engine', message: 'must be one of postgres, mysql' },
      { pointer: '/spec/sizeGi', message: 'must be at least 1' },
      { pointer: '/spec/endpoint/host', message: 'must be a valid hostname' },
      { pointer: '/spec/endpoint/port', message: 'must be at most 65535' },
    ]);
    expect(validator.validate({ apiVersion: 'cmdb/v1', kind: 'Database', metadata: { name: 'x' } })).toEqual([
      { pointer: '', message: 'missing required field "spec"' },
    ]);
    expect(validator.validate(entity('postgres'))).toEqual([{ pointer: '/spec', message: 'must be a map, not a string' }]);
  });

  it('keeps the meaning of well-known fields (relations, criticality, observe) in declared kinds', () => {
    const { validator } = createValidator({ classes: [{ kind: 'Queue', schema: { type: 'object' } }] });
    expect(validator.validate(entity({ owner: 'group:x', dependsOn: ['host:a'], observe: [{ http: { url: 'http://q' } }] }, 'Queue'))).toEqual([]);
    expect(validator.validate(entity({ owner: ['x'], runsOn: 'cluster:a', criticality: 'very', observe: [{}] }, 'Queue'))).toEqual([
      { pointer: '/spec/owner', message: 'must be a string, not a list' },
      { pointer: '/spec/runsOn', message: 'must be a list, not a string' },
      { pointer: '/spec/criticality', message: 'must be one of critical, high, medium, low' },
      { pointer: '/spec/observe/0', message: 'must have exactly one of kubernetes, http' },
    ]);
    // the class schema and the well-known fields agree: one issue, not two
    const { validator: db } = createValidator({ classes: [database] });
    expect(db.validate(entity({ engine: 'mysql', owner: 5 }))).toEqual([
      { pointer: '/spec/owner', message: 'must be a string, not the number 5 (put it in quotes)' },
    ]);
  });

  it('memoizes by class content and changes the fingerprint with the classes', () => {
    const builtin = builtinValidator();
    const a = createValidator({ classes: [database] });
    const again = createValidator({ classes: [{ ...database, source: { file: 'other.yaml', line: 9, column: 1 } }] });
    const b = createValidator({ classes: [{ kind: 'Database', schema: { type: 'object' } }] });
    expect(again.validator).toBe(a.validator);
    expect(a.validator.fingerprint).not.toBe(builtin.fingerprint);
    expect(b.validator.fingerprint).not.toBe(a.validator.fingerprint);
    expect(a.validator.fingerprint.startsWith(builtin.fingerprint)).toBe(true);
    expect(createValidator({ classes: [] }).validator).toBe(builtin);
  });

  it('leaves out a class redeclaring a built-in kind or another class', () => {
    const { validator, issues } = createValidator({
      classes: [database, { kind: 'Component', schema: {} }, { kind: 'DataBase', schema: {} }],
    });
    expect(issues).toEqual([
      { kind: 'Component', pointer: '/spec/kind', message: '"Component" is the built-in kind Component; choose another name' },
      { kind: 'DataBase', pointer: '/spec/kind', message: 'kind "DataBase" is already declared by another CIClass' },
    ]);
    expect(validator.resolveKind('cmdb/v1', 'database')).toBe('Database');
    expect(validator.validate(cmdb('Component', { type: 'service', lifecycle: 'production', owner: 'x' }))).toEqual([]);
  });

  it.each<[string, unknown, string, string]>([
    ['a misspelt type', { type: 'object', properties: { port: { type: 'integr' } } }, '/spec/schema/properties/port/type',
      'must be one of array, boolean, integer, null, number, object, string'],
    ['a misspelt keyword', { type: 'object', properties: { port: { type: 'integer', minimun: 1 } } }, '/spec/schema/properties/port/minimun',
      'unknown JSON Schema keyword "minimun"; did you mean "minimum"?'],
    ['a dangling $ref', { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } }, '/spec/schema/properties/a/$ref',
      'cannot resolve $ref "cmdb:class/bad#/definitions/missing"; class schemas must be self-contained (use "#/definitions/...")'],
    ['an external $ref', { properties: { a: { $ref: 'https://example.com/schema.json' } } }, '/spec/schema/properties/a/$ref',
      'cannot resolve $ref "https://example.com/schema.json"; class schemas must be self-contained (use "#/definitions/...")'],
    ['an unknown format', { properties: { ip: { type: 'string', format: 'ipv5' } } }, '/spec/schema/properties/ip/format',
      'unknown format "ipv5"; supported: date-time, date, time, email, hostname, ipv4, ipv6, uri, uuid'],
    ['a bad pattern', { properties: { a: { type: 'string', pattern: '([a-z' } } }, '/spec/schema/properties/a/pattern',
      'is not a valid regular expression: Unterminated character class'],
    ['a required that is not a list', { type: 'object', required: 'engine' }, '/spec/schema/required', 'must be a list, not a string'],
    ['another dialect', { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }, '/spec/schema/$schema',
      'unsupported JSON Schema dialect "https://json-schema.org/draft/2020-12/schema"; class schemas use draft-07 (remove $schema)'],
    ['a non-object spec', { type: 'string' }, '/spec/schema/type', 'must be object: the schema describes the spec, which is a map'],
    ['a schema that is not a map', true, '/spec/schema', 'must be a map: a JSON Schema describing the spec'],
  ])('rejects a class schema with %s', (_, schema, pointer, message) => {
    const { validator, issues } = createValidator({ classes: [{ kind: 'Bad', schema: schema as object }] });
    expect(issues).toHaveLength(1);
    expect(issues[0].kind).toBe('Bad');
    expect(issues[0].pointer).toBe(pointer);
    expect(issues[0].message.startsWith(message)).toBe(true);
    expect(validator.resolveKind('cmdb/v1', 'Bad')).toBeUndefined();
    expect(validator.validate(entity({}, 'Bad'))[0].pointer).toBe('/kind');
  });

  it('accepts the draft-07 $schema, annotations and supported formats', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://example.com/ignored.json',
      title: 'Bucket',
      type: 'object',
      properties: {
        created: { type: 'string', format: 'date-time', description: 'when', examples: ['2025-01-01T00:00:00Z'] },
        contact: { type: 'string', format: 'email', errorMessage: 'must be the email of the owning team' },
        region: { oneOf: [{ const: 'eu' }, { const: 'us' }] },
        retention: { if: { type: 'integer' }, then: { minimum: 1 }, else: { type: 'string', pattern: '^\\d+d$' } },
      },
    };
    const { validator, issues } = createValidator({ classes: [{ kind: 'Bucket', schema }] });
    expect(issues).toEqual([]);
    expect(validator.validate(entity({ created: '2025-01-01T00:00:00Z', contact: 'a@b.io', region: 'eu', retention: 7 }, 'Bucket'))).toEqual([]);
    expect(validator.validate(entity({ created: 'yesterday', contact: 'nobody', region: 'asia', retention: '7 days' }, 'Bucket'))).toEqual([
      { pointer: '/spec/created', message: 'must be a valid date-time' },
      { pointer: '/spec/contact', message: 'must be the email of the owning team' },
      { pointer: '/spec/region', message: 'must be one of eu, us' },
      { pointer: '/spec/retention', message: 'must match the pattern ^\\d+d$' },
    ]);
  });

  it('compiles classes with the same $id in separate validators and in one', () => {
    const withId = (kind: string) => ({ kind, schema: { $id: 'same', type: 'object', properties: { a: { type: 'string' } } } });
    const { issues } = createValidator({ classes: [withId('Alpha'), withId('Beta')] });
    expect(issues).toEqual([]);
  });

  it('rejects a schema object containing itself (YAML alias), without throwing', () => {
    const [schema] = yamlDocs('&s {type: object, properties: {self: *s}}') as object[];
    expect(createValidator({ classes: [{ kind: 'Loop', schema }] }).issues).toEqual([
      { kind: 'Loop', pointer: '/spec/schema', message: 'must not contain itself (a YAML alias inside its own anchor); use "$ref" instead' },
    ]);
  });
});

describe('a CIClass document checks its own schema', () => {
  const classDoc = (schema: unknown, kind = 'Database') => ({ apiVersion: 'cmdb/v1', kind: 'CIClass', metadata: { name: 'c' }, spec: { kind, schema } });

  it.each([
    [{ type: 'object', properties: { a: { type: 'strin' } } }, '/spec/schema/properties/a/type'],
    [{ type: 'object', properties: { a: { patern: 'x' } } }, '/spec/schema/properties/a/patern'],
    [{ type: 'object', properties: { a: { $ref: '#/definitions/none' } } }, '/spec/schema/properties/a/$ref'],
    [{ type: 'string' }, '/spec/schema/type'],
  ])('%j is refused at %s', (schema, pointer) => {
    const issues = builtinValidator().validate(classDoc(schema));
    expect(issues.map((i) => i.pointer)).toEqual([pointer]);
  });

  it('accepts a usable schema, and reports a redeclared built-in kind next to a broken schema', () => {
    expect(builtinValidator().validate(classDoc({ type: 'object', $id: 'mine', properties: { a: { type: 'string' } } }))).toEqual([]);
    expect(builtinValidator().validate(classDoc({ type: 'object', $id: 'mine' }))).toEqual([]); // the same $id again: nothing kept between checks
    expect(builtinValidator().validate(classDoc({ type: 'object', properties: { a: { patern: 'x' } } }, 'Component')).map((i) => i.pointer)).toEqual([
      '/spec/kind',
      '/spec/schema/properties/a/patern',
    ]);
  });
});
