import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdb } from '../helpers/cli.ts';
import { TestRepo } from '../helpers/gitRepo.ts';

const CERTIFICATE_CLASS = `apiVersion: cmdb/v1
kind: CIClass
metadata: {name: certificate}
spec:
  kind: Certificate
  schema:
    type: object
    required: [issuer, expires]
    definitions:
      day: {type: string, pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    properties:
      owner: {type: string}
      issuer: {type: string}
      expires: {$ref: "#/definitions/day"}
`;
const BROKEN_CLASS = `apiVersion: cmdb/v1
kind: CIClass
metadata: {name: queue}
spec:
  kind: Queue
  schema:
    type: object
    properties:
      depth: {type: integr}
`;
const certificate = (spec: Record<string, unknown>) => ({ apiVersion: 'cmdb/v1', kind: 'Certificate', metadata: { name: 'shop-tls' }, spec });

let repo: TestRepo;
let good: string;
let broken: string;
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-schema-cli-'));
  dirs.push(dir);
  return dir;
};

beforeAll(() => {
  repo = TestRepo.create();
  good = repo.commit({ 'classes/certificate.yaml': CERTIFICATE_CLASS });
  broken = repo.commit({ 'classes/queue.yaml': BROKEN_CLASS });
});
afterAll(() => {
  repo.remove();
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const readSchema = (dir: string, file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as object;
const ajv = () => {
  const a = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
  a.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return a;
};

describe('cmdb schema export --repo', () => {
  it('exports the kinds the repo\'s CIClasses declare, next to the built-in ones', async () => {
    const dir = tempDir();
    const r = await cmdb('schema', 'export', dir, '--repo', repo.dir, '--ref', good);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(/wrote 15 schemas/);
    expect(fs.readdirSync(dir)).toContain('certificate.schema.json');
    const validate = ajv().compile(readSchema(dir, 'certificate.schema.json'));
    expect(validate(certificate({ owner: 'group:sre', issuer: 'R11', expires: '2026-06-14' }))).toBe(true);
    expect(validate(certificate({ issuer: 'R11' }))).toBe(false);
    expect(validate(certificate({ issuer: 'R11', expires: 'soon' })), 'the class\'s own #/definitions still resolve').toBe(false);
    expect(validate(certificate({ issuer: 'R11', expires: '2026-06-14', dependsOn: 'component:x' })), 'dependsOn is a list in every kind').toBe(false);
    const all = ajv().compile(readSchema(dir, 'all-kinds.schema.json'));
    expect(all(certificate({ issuer: 'R11' }))).toBe(false);
    expect(all(certificate({ issuer: 'R11', expires: '2026-06-14' }))).toBe(true);
  });

  it('leaves out a class the validator rejects, naming it at file:line:column, and exits 1', async () => {
    const dir = tempDir();
    const r = await cmdb('schema', 'export', dir, '--repo', repo.dir, '--ref', broken);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^classes\/queue\.yaml:9:15: CIClass Queue: must be one of .*\(not exported\)$/m);
    expect(r.stderr).toMatch(/wrote 15 schemas .*1 CIClass kind\(s\) left out/);
    expect(fs.readdirSync(dir)).toContain('certificate.schema.json');
    expect(fs.readdirSync(dir)).not.toContain('queue.schema.json');
  });

  it('exits 2 with one line when DIR cannot be written or the repo does not exist', async () => {
    const file = path.join(tempDir(), 'taken');
    fs.writeFileSync(file, '');
    const r = await cmdb('schema', 'export', file);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr.trim()).toBe(`cmdb: cannot write the schemas to ${file} (EEXIST)`);
    const missing = await cmdb('schema', 'export', tempDir(), '--repo', '/nonexistent/repo');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('cmdb: --repo: repository /nonexistent/repo does not exist');
  });
});
