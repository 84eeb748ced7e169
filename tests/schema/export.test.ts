import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import picomatch from 'picomatch';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinValidator, BUILTIN_KIND_DEFINITIONS } from '../../schema/index.ts';
import { ALL_KINDS_FILE, builtinJsonSchemas, classKindSchema, schemaFileOf, type ExportedSchema } from '../../schema/export.ts';
import { cmdb } from '../helpers/cli.ts';
import { yamlDocs } from './fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const COMMITTED = path.join(ROOT, 'schema/json');
const ACME = path.join(ROOT, 'examples/acme');

/** A plain ajv, as an editor or another tool would use it: draft-07, strict, knowing only the `errorMessage` annotation editors show. */
function standaloneAjv(): Ajv {
  const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allErrors: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv;
}

const compiled = new Map<string, ValidateFunction>();
/** Each exported file compiled alone, by a fresh ajv (nothing else loaded: no external $ref could resolve). */
function compile(file: string, schema: object): ValidateFunction {
  let validate = compiled.get(file);
  if (!validate) compiled.set(file, (validate = standaloneAjv().compile(schema)));
  return validate;
}

/** Every entity document of examples/acme, with the file it is in (cmdb.yaml's include/exclude applied). */
function acmeDocuments(): Array<{ file: string; doc: Record<string, unknown> }> {
  const config = yamlDocs(fs.readFileSync(path.join(ACME, 'cmdb.yaml'), 'utf8'))[0] as { include: string[]; exclude: string[] };
  const included = picomatch(config.include);
  const excluded = picomatch(config.exclude);
  const files = (fs.readdirSync(ACME, { recursive: true }) as string[]).filter((f) => included(f) && !excluded(f)).sort();
  return files.flatMap((file) =>
    yamlDocs(fs.readFileSync(path.join(ACME, file), 'utf8'))
      .filter((doc): doc is Record<string, unknown> => typeof doc === 'object' && doc !== null && 'apiVersion' in doc && 'kind' in doc)
      .map((doc) => ({ file, doc })),
  );
}

const exported = builtinJsonSchemas();
const byKind = new Map(exported.filter((e) => e.kind).map((e) => [e.kind!.toLowerCase(), e]));
const allKinds = exported.find((e) => e.file === ALL_KINDS_FILE)!;
const examples = acmeDocuments();
const builtinExamples = examples.filter(({ doc }) => byKind.has(String(doc.kind).toLowerCase()));

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('cmdb schema export', () => {
  it('writes exactly what is committed under schema/json/ (regenerate: npm run schema:export)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-schema-'));
    dirs.push(dir);
    const r = await cmdb('schema', 'export', path.join(dir, 'out'));
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(/wrote 14 schemas/);
    const written = fs.readdirSync(path.join(dir, 'out')).sort();
    expect(written).toEqual(fs.readdirSync(COMMITTED).sort());
    for (const file of written) {
      expect(fs.readFileSync(path.join(dir, 'out', file), 'utf8'), `schema/json/${file} is stale: run npm run schema:export`).toBe(
        fs.readFileSync(path.join(COMMITTED, file), 'utf8'),
      );
    }
  });

  it('writes one file per built-in kind, plus the all-kinds one', () => {
    expect(exported.map((e) => e.file)).toEqual([...BUILTIN_KIND_DEFINITIONS.map((d) => schemaFileOf(d.kind)), ALL_KINDS_FILE]);
  });
});

describe.each(exported.map((e) => [e.file, e] as [string, ExportedSchema]))('%s', (file, { schema }) => {
  it('is a valid, self-contained draft-07 JSON Schema with $id, title and description', () => {
    const ajv = standaloneAjv();
    expect(ajv.validateSchema(schema), ajv.errorsText(ajv.errors)).toBe(true);
    expect(schema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', $id: expect.stringMatching(/^urn:gitops-cmdb:schema:/) });
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.any(String));
    const refs = JSON.stringify(schema).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref).toMatch(/^"\$ref":"#\/definitions\//);
    expect(() => compile(file, schema)).not.toThrow();
  });
});

describe('the exported schemas and the validator', () => {
  it('every built-in kind has examples in examples/acme, and each kind schema accepts them', () => {
    expect(new Set(builtinExamples.map(({ doc }) => String(doc.kind).toLowerCase()))).toEqual(new Set(byKind.keys()));
    for (const { file, doc } of builtinExamples) {
      const { file: schemaFile, schema } = byKind.get(String(doc.kind).toLowerCase())!;
      const validate = compile(schemaFile, schema);
      expect(validate(doc), `${file} ${String(doc.kind)}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('the all-kinds schema accepts every example document, CIClass-declared kinds and non-entities included', () => {
    const validate = compile(allKinds.file, allKinds.schema);
    expect(examples.some(({ doc }) => doc.kind === 'Certificate')).toBe(true);
    for (const { file, doc } of examples) expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    expect(validate({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 2 } })).toBe(true);
    const host = { apiVersion: 'backstage.io/v1alpha1', kind: 'Host', metadata: { name: 'x' }, spec: {} };
    expect(builtinValidator().validate(host)).not.toEqual([]);
    expect(validate(host), 'Host is a cmdb/v1 kind only').toBe(false);
  });

  it('reject obviously wrong documents of each kind, as the validator does', () => {
    const allKindsValidate = compile(allKinds.file, allKinds.schema);
    for (const { schema, file } of byKind.values()) {
      const example = builtinExamples.find(({ doc }) => schemaFileOf(String(doc.kind)) === file)!.doc;
      const validate = compile(file, schema);
      for (const [what, wrong] of mutants(example)) {
        expect(builtinValidator().validate(wrong), `${file}: the validator accepts ${what}`).not.toEqual([]);
        expect(validate(wrong), `${file} accepts ${what}`).toBe(false);
        expect(allKindsValidate(wrong), `${ALL_KINDS_FILE} accepts ${what}`).toBe(false);
      }
    }
  });

  it('agree with the validator on every mutant of every example', () => {
    for (const { file, doc } of builtinExamples) {
      const validate = compile(schemaFileOf(String(doc.kind)), byKind.get(String(doc.kind).toLowerCase())!.schema);
      for (const [what, variant] of [...mutants(doc), ...harmless(doc)]) {
        const validator = builtinValidator().validate(variant).length === 0;
        expect(validate(variant), `${file}, ${what}: the validator says ${validator ? 'valid' : 'invalid'}`).toBe(validator);
      }
    }
  });

  it('a class kind schema nests the class schema, keeping its own $refs working', () => {
    const schema = {
      type: 'object',
      definitions: { port: { type: 'integer', minimum: 1, maximum: 65535 } },
      properties: { port: { $ref: '#/definitions/port' }, backup: { $ref: '#' } },
      required: ['port'],
    };
    const { schema: exportedClass } = classKindSchema({ kind: 'Database', schema });
    const validate = standaloneAjv().compile(exportedClass);
    const doc = (spec: unknown) => ({ apiVersion: 'cmdb/v1', kind: 'Database', metadata: { name: 'db' }, spec });
    expect(validate(doc({ port: 5432, backup: { port: 5433 }, owner: 'group:dba' }))).toBe(true);
    expect(validate(doc({ port: 0 }))).toBe(false);
    expect(validate(doc({ port: 5432, backup: { port: 'x' } }))).toBe(false);
    expect(validate(doc({ port: 5432, owner: ['group:dba'] })), 'owner keeps its meaning (one reference) in every kind').toBe(false);
    expect(validate({ ...doc({ port: 1 }), apiVersion: 'backstage.io/v1alpha1' })).toBe(false);
  });
});

const clone = <T>(value: T): T => structuredClone(value);

/** Variants of a valid document that the validator must reject. */
function mutants(doc: Record<string, unknown>): Array<[string, Record<string, unknown>]> {
  const spec = doc.spec as Record<string, unknown>;
  const strict = doc.apiVersion === 'cmdb/v1';
  const { name: _n, ...nameless } = clone(doc.metadata) as Record<string, unknown>;
  const list: Array<[string, Record<string, unknown>]> = [
    ['no spec', (({ spec: _s, ...rest }) => rest)(clone(doc))],
    ['no metadata.name', { ...clone(doc), metadata: nameless }],
    ['a bad metadata.name', { ...clone(doc), metadata: { ...(clone(doc.metadata) as object), name: 'not a name!' } }],
    ['a spec that is a list', { ...clone(doc), spec: [] }],
    ['an unknown top-level field', { ...clone(doc), specs: {} }],
    ['an unknown apiVersion', { ...clone(doc), apiVersion: 'cmdb/v2' }],
  ];
  if (strict) list.push(['an unknown spec field', { ...clone(doc), spec: { ...clone(spec), colour: 'blue' } }]);
  if (strict) list.push(['an unknown metadata field', { ...clone(doc), metadata: { ...(clone(doc.metadata) as object), owner: 'x' } }]);
  if (specHasCriticality(doc)) list.push(['a criticality that is none', { ...clone(doc), spec: { ...clone(spec), criticality: 'extreme' } }]);
  for (const field of requiredOf(doc)) {
    const { [field]: _f, ...rest } = clone(spec);
    list.push([`no spec.${field}`, { ...clone(doc), spec: rest }]);
  }
  return list;
}

/** Variants the validator accepts (the schemas must too). */
function harmless(doc: Record<string, unknown>): Array<[string, Record<string, unknown>]> {
  return [
    ['the kind in lower case', { ...clone(doc), kind: String(doc.kind).toLowerCase() }],
    ['a namespace', { ...clone(doc), metadata: { ...(clone(doc.metadata) as object), namespace: 'shop' } }],
  ];
}

function definitionOf(doc: Record<string, unknown>) {
  return BUILTIN_KIND_DEFINITIONS.find((d) => d.kind.toLowerCase() === String(doc.kind).toLowerCase())!;
}

function requiredOf(doc: Record<string, unknown>): string[] {
  const def = definitionOf(doc);
  const spec = doc.apiVersion === 'cmdb/v1' ? def.cmdb : def.backstage!;
  return (spec.required as string[] | undefined) ?? [];
}

function specHasCriticality(doc: Record<string, unknown>): boolean {
  const def = definitionOf(doc);
  const spec = doc.apiVersion === 'cmdb/v1' ? def.cmdb : def.backstage!;
  return 'criticality' in (spec.properties as object);
}
