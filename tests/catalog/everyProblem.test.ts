import { describe, expect, it } from 'vitest';
import { assembleSnapshot } from '../../catalog/assemble.ts';
import { parseConfig } from '../../catalog/config.ts';
import { scanDocuments, SCANNER_MAX_DEPTH } from '../../catalog/fastYaml.ts';
import { DEFAULT_LIMITS, parseBlob, parseBlobFast, type BlobInput } from '../../catalog/parseBlob.ts';
import { MAX_YAML_DEPTH } from '../../catalog/yamlDepth.ts';

const blob = (text: string, path = 'x.yaml'): BlobInput => ({ path, oid: 'f'.repeat(40), mode: '100644', content: Buffer.from(text) });
const bothPaths = (text: string, path?: string) => [true, false].map((fast) => parseBlob(blob(text, path), DEFAULT_LIMITS, undefined, { fast }));

describe('every problem in one run', () => {
  it('checks the CEL expressions of a ChangePolicy whose schema fails, at their positions', () => {
    const text = [
      'apiVersion: cmdb/v1',
      'kind: ChangePolicy',
      'metadata: {name: p}',
      'spec:',
      "  match: \"impact.maxCriticality == 'critical' && chnge.title == ''\"",
      '  rules:',
      "    - expression: \"impact.count > 'many'\"",
      '      message: too big',
      '    - expression: "change.author != \'\'"',
      '      message: fine',
      '',
    ].join('\n');
    for (const r of bothPaths(text)) {
      expect(r.documents).toEqual([]);
      expect(r.violations).toEqual([
        { rule: 'schema', severity: 'error', message: 'missing required field "description"', file: 'x.yaml', line: 4, column: 1 },
        {
          rule: 'cel',
          severity: 'error',
          message: 'spec.match: CEL type error: Unknown variable: chnge; the variables here are change, impact, now and windows',
          file: 'x.yaml',
          line: 5,
          column: 50,
        },
        { rule: 'cel', severity: 'error', message: 'spec.rules[0].expression: CEL type error: no such overload: int > string', file: 'x.yaml', line: 7, column: 20 },
      ]);
    }
  });

  it('checks the appliesTo of a ChangeWindow whose schema fails, and does not repeat what the schema said', () => {
    const text = 'apiVersion: cmdb/v1\nkind: ChangeWindow\nmetadata: {name: w}\nspec:\n  type: freeze\n  start: 2026-12-20T00:00:00Z\n  appliesTo: "entity.kindd == \'component\'"\n';
    const [fast, slow] = bothPaths(text);
    expect(fast).toEqual(slow);
    expect(slow.violations.map((v) => [v.rule, v.line, v.column])).toEqual([
      ['schema', 4, 1],
      ['cel', 7, 22], // at the unknown field, character 7 of the expression
    ]);
    const empty = parseBlob(blob(text.replace(/appliesTo: .*/, 'appliesTo: ""')));
    expect(empty.violations.map((v) => v.rule)).toEqual(['schema', 'schema']);
  });

  it('reports the malformed references of a document whose schema fails', () => {
    const text = 'apiVersion: cmdb/v1\nkind: Component\nmetadata: {name: cart}\nspec:\n  type: service\n  owner: "group:"\n  dependsOn: [resource:redis, "component:/x"]\n';
    const r = parseBlob(blob(text));
    expect(r.violations).toEqual([
      { rule: 'schema', severity: 'error', message: 'missing required field "lifecycle"', file: 'x.yaml', line: 4, column: 1 },
      { rule: 'reference', severity: 'error', message: 'spec.owner: "group:" is not of the form [kind:][namespace/]name (the name is empty)', ref: 'component:default/cart', file: 'x.yaml', line: 6, column: 3 },
      {
        rule: 'reference',
        severity: 'error',
        message: 'spec.dependsOn: "component:/x" is not of the form [kind:][namespace/]name (the namespace before "/" is empty)',
        ref: 'component:default/cart',
        file: 'x.yaml',
        line: 7,
        column: 31,
      },
    ]);
  });

  it('places the schema problems of a CIClass at the offending keyword', () => {
    const ciClass = 'apiVersion: cmdb/v1\nkind: CIClass\nmetadata: {name: database}\nspec:\n  kind: Database\n  schema:\n    type: object\n    properties:\n      engine: {type: string, patern: "^p"}\n';
    const db = 'apiVersion: cmdb/v1\nkind: Database\nmetadata: {name: orders}\nspec: {engine: postgres}\n';
    const files = [
      { path: 'classes.yaml', result: parseBlob(blob(ciClass, 'classes.yaml')) },
      { path: 'db.yaml', result: parseBlob(blob(db, 'db.yaml')) },
    ];
    const misspelt = { rule: 'schema', severity: 'error', message: 'unknown JSON Schema keyword "patern"; did you mean "pattern"?', file: 'classes.yaml', line: 9, column: 30 };
    for (const fast of [true, false]) expect(parseBlob(blob(ciClass, 'classes.yaml'), DEFAULT_LIMITS, undefined, { fast }).violations).toEqual([misspelt]);
    const { snapshot } = assembleSnapshot('c'.repeat(40), files);
    expect(snapshot.violations).toContainEqual(misspelt);
    const redeclared = assembleSnapshot('d'.repeat(40), [
      { path: 'classes.yaml', result: parseBlob(blob(ciClass.replace('patern', 'pattern'), 'classes.yaml')) },
      { path: 'more.yaml', result: parseBlob(blob(ciClass.replace('patern', 'pattern').replace('name: database', 'name: database2'), 'more.yaml')) },
      { path: 'db.yaml', result: parseBlob(blob(db, 'db.yaml')) },
    ]);
    expect(redeclared.snapshot.violations).toContainEqual({
      rule: 'schema',
      severity: 'error',
      message: 'CIClass Database: kind "Database" is already declared by another CIClass',
      file: 'more.yaml',
      line: 5,
      column: 3,
    });
  });
});

describe('YAML nested deeper than the limit', () => {
  const header = 'apiVersion: cmdb/v1\nkind: Component\nmetadata: {name: x}\nspec:\n';
  const limit = `more than ${MAX_YAML_DEPTH} levels deep (the limit)`;

  it('is one violation naming the file, line, column and limit for 10,000 nested flow sequences, on both paths', () => {
    const text = `${header}  x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    for (const r of bothPaths(text, 'deep.yaml')) {
      expect(r.violations).toEqual([{ rule: 'yaml', severity: 'error', message: expect.stringContaining(limit), file: 'deep.yaml', line: 5, column: 6 + MAX_YAML_DEPTH - 2 }]);
      expect(JSON.stringify(r)).not.toMatch(/call stack/i);
    }
  });

  it('is one violation for deeply nested block mappings, on both paths, and the fast path leaves them to the yaml path', () => {
    let text = header;
    for (let i = 0; i < 1_000; i++) text += `${' '.repeat(2 + i)}k${i}:\n`;
    expect(scanDocuments(text)).toBeUndefined();
    expect(parseBlobFast(blob(text))).toBeUndefined();
    for (const r of bothPaths(text)) {
      expect(r.violations).toEqual([{ rule: 'yaml', severity: 'error', message: expect.stringContaining(limit), file: 'x.yaml', line: 4 + MAX_YAML_DEPTH, column: MAX_YAML_DEPTH + 2 }]);
    }
  });

  it('also covers flow mappings and block sequences', () => {
    const flowMaps = `${header}  x: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}\n`;
    let seqs = header + '  x:\n';
    for (let i = 0; i < 500; i++) seqs += `${' '.repeat(4 + 2 * i)}-\n`;
    for (const text of [flowMaps, seqs]) for (const r of bothPaths(text)) expect(r.violations).toEqual([expect.objectContaining({ rule: 'yaml', message: expect.stringContaining(limit) })]);
  });

  it('is one violation in cmdb.yaml too, and the defaults stand in', () => {
    const { config, violations } = parseConfig(`limits:\n  maxFileBytes: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`);
    expect(violations).toEqual([{ rule: 'yaml', severity: 'error', message: expect.stringContaining(limit), file: 'cmdb.yaml', line: 2, column: 16 + MAX_YAML_DEPTH - 1 }]);
    expect(config.limits).toEqual(DEFAULT_LIMITS);
  });

  it('places a YAML syntax error in cmdb.yaml at its line and column, not at 1:1', () => {
    const { violations } = parseConfig('include:\n  - "**/*.yaml"\nexclude: [a, b\nlimits: {}\n');
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ rule: 'yaml', file: 'cmdb.yaml' });
    expect(violations[0].line).toBeGreaterThan(1);
  });

  it('leaves documents within the limit alone, on both paths', () => {
    let text = header;
    for (let i = 0; i < SCANNER_MAX_DEPTH - 4; i++) text += `${' '.repeat(2 + i)}k${i}:\n`;
    text += `${' '.repeat(2 + SCANNER_MAX_DEPTH - 4)}leaf: 1\n`;
    const [fast, slow] = bothPaths(text.replace('spec:\n  k0:', 'spec:\n  type: service\n  lifecycle: production\n  owner: a\n  k0:'));
    expect(fast).toEqual(slow);
    expect(slow.violations.every((v) => v.rule === 'schema')).toBe(true);
  });
});
