import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../schema/ajv.ts';
import { builtinCompiler, builtinSchemaSet, compiledSchemasOf } from '../../schema/builtin.ts';
import { COMPILED_FINGERPRINT, COMPILED_VALIDATORS } from '../../schema/compiled-validators.ts';
import { COMPILED_VALIDATORS_PATH, compiledValidatorsModule } from '../../schema/standalone.ts';
import { builtinValidator } from '../../schema/validator.ts';
import { cmdb, yamlDocs } from './fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ACME = path.join(ROOT, 'examples/acme');

/** Every YAML document of examples/acme, plus documents with problems of every sort. */
function sampleDocuments(): unknown[] {
  const files = readdirSync(ACME, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('docs/')); // docs/: templates, excluded by cmdb.yaml
  const acme = files.flatMap((f) => yamlDocs(readFileSync(path.join(ACME, f), 'utf8')));
  const broken = [
    cmdb('Component', { type: 7, lifecycle: ['x'], owner: '', dependsOn: 'component:x', criticality: 'huge', unknownField: 1 }, { name: 'Bad_Name!', labels: { a: 1 }, extra: true }),
    cmdb('Host', { observe: { http: 5 } }, {}),
    cmdb('ChangePolicy', { rules: 5 }),
    cmdb('ChangeWindow', {}),
    cmdb('CIClass', { kind: 'broken', schema: { type: 'string' } }),
    cmdb('User', { profile: { email: 4 } }),
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'bs', uid: 'x' }, spec: { type: 'service' }, status: 3 },
    { apiVersion: 'backstage.io/v1alpha1', kind: 'Environment', metadata: { name: 'env' }, spec: { owner: 3 } },
    { kind: 'Group', spec: null },
  ];
  return [...acme, ...broken];
}

describe(COMPILED_VALIDATORS_PATH, () => {
  it('is what the built-in schemas compile to', () => {
    const committed = readFileSync(path.join(ROOT, COMPILED_VALIDATORS_PATH), 'utf8');
    const built = compiledValidatorsModule();
    // A readable failure first, then the exact comparison.
    if (committed !== built) expect.fail(`${COMPILED_VALIDATORS_PATH} differs from what the schemas compile to; run \`npm run schema:compile\` and commit the result.`);
    expect(committed).toBe(built);
  });

  it('is the one the built-in validator uses: its fingerprint is that of the schemas', () => {
    expect(COMPILED_FINGERPRINT).toBe(builtinValidator().fingerprint);
    expect(Object.keys(COMPILED_VALIDATORS).sort()).toEqual(compiledSchemasOf(builtinSchemaSet()).map((s) => s.$id).sort());
  });

  it('gives the verdicts and errors of the same schemas compiled at run time, on valid and invalid documents', () => {
    const set = builtinSchemaSet();
    const ajv = createAjv({ validateSchemas: false });
    ajv.addSchema(set.shared);
    const docs = sampleDocuments();
    let invalid = 0;
    for (const schema of compiledSchemasOf(set)) {
      const runtime = ajv.compile(schema);
      const precompiled = COMPILED_VALIDATORS[schema.$id as string];
      for (const doc of docs) {
        const valid = precompiled(doc);
        expect(runtime(doc), `${schema.$id} on ${JSON.stringify(doc).slice(0, 80)}`).toBe(valid);
        expect(precompiled.errors).toEqual(runtime.errors);
        if (!valid) invalid++;
      }
    }
    expect(invalid).toBeGreaterThan(docs.length);
  });
});

describe('builtinCompiler', () => {
  const set = builtinSchemaSet();
  const component = set.entities.find((e) => e.family === 'cmdb' && e.kind === 'Component')!.schema;
  const acceptAll = Object.assign(() => true, { errors: null });
  const invalid = cmdb('Component', { type: 7 });

  it('uses validators compiled from the same schemas', () => {
    const compile = builtinCompiler(set, { fingerprint: set.fingerprint, validators: { [component.$id as string]: acceptAll } });
    expect(compile(component)).toBe(acceptAll);
  });

  it('compiles the schemas now when the precompiled validators come from other schemas (a stale module)', () => {
    const compile = builtinCompiler(set, { fingerprint: 'cmdb-schema-0-stale', validators: { [component.$id as string]: acceptAll } });
    const validate = compile(component);
    expect(validate).not.toBe(acceptAll);
    expect(validate(invalid)).toBe(false);
    expect(validate.errors?.some((e) => e.instancePath === '/spec/type')).toBe(true);
  });
});
