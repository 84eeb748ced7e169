import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { ALL_KINDS_FILE, jsonSchemasWithClasses } from '../../schema/export.ts';
import { BUILTIN_KIND_DEFINITIONS } from '../../schema/index.ts';
import { cmdb } from '../helpers/cli.ts';
import { TestRepo } from '../helpers/gitRepo.ts';
import { yamlDocs } from './fixtures.ts';

const DOC = path.resolve(import.meta.dirname, '../../docs/catalog.md');

/** The ```yaml blocks of docs/catalog.md that hold entities, with the line each starts at. */
function entityBlocks(): Array<{ line: number; text: string }> {
  const lines = fs.readFileSync(DOC, 'utf8').split('\n');
  const blocks: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```yaml') continue;
    const end = lines.indexOf('```', i + 1);
    const text = lines.slice(i + 1, end).join('\n');
    if (/^apiVersion:/m.test(text) && /^kind:/m.test(text)) blocks.push({ line: i + 2, text: `${text}\n` });
    i = end;
  }
  return blocks;
}

const blocks = entityBlocks();
const documents = blocks.flatMap(({ text }) => yamlDocs(text) as Array<{ apiVersion: string; kind: string; spec: Record<string, unknown> }>);
let repo: TestRepo;

/** Required spec fields of a document's kind: its built-in schema's, or the declaring CIClass schema's. */
function requiredOf(doc: { apiVersion: string; kind: string }): string[] {
  const def = BUILTIN_KIND_DEFINITIONS.find((d) => d.kind === doc.kind);
  const declaring = documents.find((d) => d.kind === 'CIClass' && d.spec.kind === doc.kind);
  const spec = def ? (doc.apiVersion === 'cmdb/v1' ? def.cmdb : def.backstage!) : (declaring!.spec.schema as Record<string, unknown>);
  return (spec.required as string[] | undefined) ?? [];
}

beforeAll(() => {
  repo = TestRepo.create();
  repo.commit(Object.fromEntries(blocks.map(({ line, text }) => [`catalog-md-line-${line}.yaml`, text])));
});
afterAll(() => repo.remove());

describe('the examples of docs/catalog.md', () => {
  it('cover every built-in kind under cmdb/v1, a CIClass-declared kind and a Backstage descriptor', () => {
    const cmdbKinds = new Set(documents.filter((d) => d.apiVersion === 'cmdb/v1').map((d) => d.kind));
    for (const { kind } of BUILTIN_KIND_DEFINITIONS) expect(cmdbKinds, kind).toContain(kind);
    const declared = documents.filter((d) => d.kind === 'CIClass').map((d) => d.spec.kind);
    expect(documents.some((d) => declared.includes(d.kind))).toBe(true);
    expect(documents.some((d) => d.apiVersion.startsWith('backstage.io/'))).toBe(true);
  });

  it('are together a valid catalog: cmdb validate reports nothing (file names carry the line of the block)', async () => {
    const r = await cmdb('validate', '--repo', repo.dir);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^valid: ${documents.length} entities`));
  });

  it('mark with "# required" exactly the spec fields the kind requires', () => {
    for (const { line, text } of blocks) {
      for (const doc of text.split(/^---$/m)) {
        const parsed = yamlDocs(doc)[0] as { apiVersion: string; kind: string };
        const marked = [...doc.matchAll(/^ {2}([A-Za-z]+):.*# required/gm)].map((m) => m[1]).sort();
        expect(marked, `block at docs/catalog.md:${line}, ${parsed.kind}`).toEqual([...requiredOf(parsed)].sort());
      }
    }
  });

  it('are accepted by the exported editor schemas (all-kinds.schema.json with the page\'s CIClass)', () => {
    const classes = documents.filter((d) => d.kind === 'CIClass').map((d) => ({ kind: String(d.spec.kind), schema: d.spec.schema as object }));
    const allKinds = jsonSchemasWithClasses(classes).find((e) => e.file === ALL_KINDS_FILE)!;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(allKinds.schema);
    for (const doc of documents) expect(validate(doc), `${doc.kind}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    expect(validate({ ...documents.find((d) => d.kind === 'Certificate')!, spec: { owner: 'group:shop-team' } })).toBe(false);
  });
});
