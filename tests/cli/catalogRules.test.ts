import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdb } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

/** Duplicates in a change, invalid entities, external kinds: on real repositories through the CLI. */
let cacheDir: string;
const repos: TestRepo[] = [];
const team = entity('Group', 'shop-team', { type: 'team' });
const redis = (criticality: string) => entity('Resource', 'redis', { type: 'cache', owner: 'shop-team', criticality });
const svc = (name: string, spec: Record<string, unknown>) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'shop-team', ...spec });

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-rules-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
});
afterAll(() => {
  for (const r of repos) r.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

function newRepo(): TestRepo {
  const repo = TestRepo.create();
  repos.push(repo);
  return repo;
}

interface CheckJson {
  changes: Array<{ ref: string; op: string; file: string }>;
  impact: { entities: Array<{ ref: string }> };
  violations: Array<{ rule: string; severity: string; file?: string; line?: number; ref?: string; target?: string; message: string }>;
  decision: string;
}

async function check(repo: TestRepo, base: string, head: string): Promise<CheckJson> {
  const r = await cmdb('check', '--repo', repo.dir, '--base', base, '--head', head, '--format', 'json');
  expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  return JSON.parse(r.stdout) as CheckJson;
}

async function validate(repo: TestRepo, ref: string) {
  const r = await cmdb('validate', '--repo', repo.dir, '--ref', ref, '--format', 'json');
  return { code: r.code, ...(JSON.parse(r.stdout) as { valid: boolean; violations: CheckJson['violations'] }) };
}

describe('a change that adds a second definition of an existing entity', () => {
  // a.yaml sorts before b.yaml: a full read of the head alone keeps a.yaml's definition.
  const duplicate = `# a second redis\n${redis('critical')}`;
  const nameLine = 4; // "# a second redis", apiVersion, kind, metadata, then "  name: redis"

  it.each([
    ['derived from a clean base', {}],
    ['read in full (the base has a dangling reference)', { 'web.yaml': svc('web', { dependsOn: ['component:ghost'] }) }],
  ])('blames the new definition and leaves the existing entity as it was: %s', async (_, extra) => {
    const repo = newRepo();
    const base = repo.commit({ 'teams.yaml': team, 'b.yaml': redis('low'), 'cart.yaml': svc('cart', { dependsOn: ['resource:redis'] }), ...extra });
    const head = repo.commit({ 'a.yaml': duplicate });
    const r = await check(repo, base, head);
    const duplicates = r.violations.filter((v) => v.rule === 'duplicate');
    expect(duplicates).toEqual([expect.objectContaining({ severity: 'error', file: 'a.yaml', line: nameLine + 1, ref: 'resource:default/redis' })]);
    expect(duplicates[0].message).toMatch(/already defined at b\.yaml:1:1/);
    expect(r.changes).toEqual([]);
    expect(r.impact.entities).toEqual([]);
    expect(r.decision).toBe('blocked');
  });

  it('when the existing entity is also modified, reports its modification at its own file', async () => {
    const repo = newRepo();
    const base = repo.commit({ 'teams.yaml': team, 'b.yaml': redis('low'), 'cart.yaml': svc('cart', { dependsOn: ['resource:redis'] }) });
    const head = repo.commit({ 'a.yaml': duplicate, 'b.yaml': redis('high') });
    const r = await check(repo, base, head);
    expect(r.violations.filter((v) => v.rule === 'duplicate')).toEqual([expect.objectContaining({ file: 'a.yaml' })]);
    expect(r.changes).toEqual([expect.objectContaining({ ref: 'resource:default/redis', op: 'modified', file: 'b.yaml' })]);
    expect(r.impact.entities.map((e) => e.ref)).toEqual(['component:default/cart']);
  });

  it('in a single commit, keeps the first definition by path and reports every later one', async () => {
    const repo = newRepo();
    const commit = repo.commit({ 'teams.yaml': team, 'b.yaml': redis('low'), 'a.yaml': duplicate, 'c/c.yaml': redis('medium') });
    const r = await validate(repo, commit);
    expect(r.code).toBe(1);
    expect(r.violations.filter((v) => v.rule === 'duplicate').map((v) => [v.file, v.message.match(/defined at (\S+) /)![1]])).toEqual([
      ['b.yaml', 'a.yaml:2:1'],
      ['c/c.yaml', 'a.yaml:2:1'],
    ]);
  });
});

describe('an entity that is defined but invalid', () => {
  it('is reported once, at its own problem, and references to it are not dangling', async () => {
    const repo = newRepo();
    const commit = repo.commit({
      'teams.yaml': team,
      'redis.yaml': 'apiVersion: cmdb/v1\nkind: Resource\nmetadata:\n  name: redis\nspec:\n  type: 3\n  owner: shop-team\n',
      'cart.yaml': svc('cart', { dependsOn: ['resource:redis', 'resource:ghost'] }),
    });
    const r = await validate(repo, commit);
    expect(r.code).toBe(1);
    expect(r.violations.map((v) => [v.rule, v.file, v.target])).toEqual([
      ['dangling-reference', 'cart.yaml', 'resource:default/ghost'],
      ['schema', 'redis.yaml', undefined],
    ]);
  });

  it('in a change that breaks it, only its own problem is new', async () => {
    const repo = newRepo();
    const base = repo.commit({ 'teams.yaml': team, 'redis.yaml': redis('low'), 'cart.yaml': svc('cart', { dependsOn: ['resource:redis'] }) });
    const head = repo.commit({ 'redis.yaml': 'apiVersion: cmdb/v1\nkind: Resource\nmetadata:\n  name: redis\nspec:\n  type: 3\n  owner: shop-team\n' });
    const r = await check(repo, base, head);
    expect(r.violations.map((v) => [v.rule, v.severity, v.file, v.line])).toEqual([['schema', 'error', 'redis.yaml', 6]]);
  });
});

describe('references.external in cmdb.yaml', () => {
  it('makes an unresolved reference to an external kind a warning, every other one an error', async () => {
    const repo = newRepo();
    const commit = repo.commit({
      'cmdb.yaml': 'references:\n  external: [Group, user]\n',
      'cart.yaml': svc('cart', { dependsOn: ['resource:ghost'] }),
    });
    const r = await validate(repo, commit);
    expect(r.code).toBe(1);
    expect(r.violations.map((v) => [v.rule, v.severity, v.target])).toEqual([
      ['dangling-reference', 'warning', 'group:default/shop-team'],
      ['dangling-reference', 'error', 'resource:default/ghost'],
    ]);
    expect(r.violations[0].message).toMatch(/kind group is external: references\.external in cmdb\.yaml/);
  });

  it('a catalog whose only unresolved references are external is valid', async () => {
    const repo = newRepo();
    const base = repo.commit({ 'cmdb.yaml': 'references:\n  external: [group]\n', 'cart.yaml': svc('cart', {}) });
    expect((await validate(repo, base)).code).toBe(0);
    const head = repo.commit({ 'web.yaml': svc('web', { dependsOn: ['component:cart'] }) });
    const r = await check(repo, base, head);
    expect(r.decision).toBe('pass');
    expect(r.violations.map((v) => [v.severity, v.file])).toEqual([
      ['warning', 'cart.yaml'],
      ['warning', 'web.yaml'],
    ]);
  });

  it('reports a malformed setting at its line', async () => {
    const repo = newRepo();
    const commit = repo.commit({ 'cmdb.yaml': '# kinds\nreferences:\n  external:\n    - group\n    - 42\n', 'teams.yaml': team });
    const r = await validate(repo, commit);
    expect(r.code).toBe(1);
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'config', file: 'cmdb.yaml', line: 5, message: 'references.external[1] must be a kind name, such as group or user' })]);
  });
});
