import { describe, expect, it } from 'vitest';
import { RELATION_RULES } from '../../catalog/relations.ts';
import { createAjv } from '../../schema/ajv.ts';
import { builtinSchemas, compileAllBuiltins, sharedSchemas } from '../../schema/builtin.ts';
import { builtinEntitySchemas, builtinValidator, BUILTIN_KIND_DEFINITIONS } from '../../schema/index.ts';
import { wellKnownFieldsSchema } from '../../schema/well-known-fields.ts';
import { cmdb } from './fixtures.ts';

describe('built-in schemas', () => {
  it('are valid draft-07 JSON Schemas (the runtime skips this check)', () => {
    const ajv = createAjv({ validateSchemas: true });
    for (const schema of [...sharedSchemas(), ...builtinEntitySchemas().map((s) => s.schema), wellKnownFieldsSchema()]) {
      expect(ajv.validateSchema(schema), `${String(schema.$id)}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
  });

  it('compile, one per (family, kind): 13 cmdb/v1 kinds and 7 Backstage ones', () => {
    expect(() => compileAllBuiltins()).not.toThrow();
    const { table } = builtinSchemas();
    expect(table.kindsOf('cmdb')).toHaveLength(13);
    expect(table.kindsOf('backstage')).toEqual(['Domain', 'System', 'Component', 'API', 'Resource', 'Group', 'User']);
    const ids = builtinEntitySchemas().map((s) => s.schema.$id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('make every cmdb/v1 spec strict and every Backstage spec lenient', () => {
    for (const def of BUILTIN_KIND_DEFINITIONS) {
      expect(def.cmdb.additionalProperties, def.kind).toBe(false);
      if (def.backstage) expect(def.backstage.additionalProperties, def.kind).toBeUndefined();
    }
  });

  it('give the relation fields of catalog/relations.ts a shape in declared kinds', () => {
    const properties = wellKnownFieldsSchema().properties as Record<string, { type: string }>;
    for (const { field } of RELATION_RULES) expect(['string', 'array'], field).toContain(properties[field]?.type);
  });

  it('have a stable fingerprint', () => {
    const { fingerprint } = builtinValidator();
    expect(fingerprint).toMatch(/^cmdb-schema-\d+-[0-9a-f]{16}$/);
    expect(builtinValidator()).toBe(builtinValidator());
    expect(builtinValidator().fingerprint).toBe(fingerprint);
  });
});

describe('validation', () => {
  it('does not modify documents (no defaults are filled in)', () => {
    const doc = cmdb('ChangePolicy', { description: 'x', approvals: [{ from: 'group:cab' }] });
    const frozen = JSON.parse(JSON.stringify(doc));
    deepFreeze(frozen);
    expect(builtinValidator().validate(frozen)).toEqual([]);
    expect(frozen).toEqual(doc);
  });

  it('validates 20,000 mixed documents with one compiled validator (speed is measured in bench/, not here)', () => {
    const validator = builtinValidator();
    const docs = Array.from({ length: 20_000 }, (_, i) =>
      i % 2 === 0
        ? cmdb('Component', { type: 'service', lifecycle: 'production', owner: 'group:a', dependsOn: [`resource:r${i}`], criticality: 'high' }, { name: `c${i}` })
        : { apiVersion: 'backstage.io/v1alpha1', kind: 'Resource', metadata: { name: `r${i}`, tags: ['db'] }, spec: { type: 'database', owner: 'a' } },
    );
    validator.validate(docs[0]);
    let issues = 0;
    for (const doc of docs) issues += validator.validate(doc).length;
    expect(issues).toBe(0);

  });
});

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  Object.freeze(value);
  Object.values(value).forEach(deepFreeze);
}
