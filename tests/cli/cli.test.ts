import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdb, cmdbProcess } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let base: string;
let head: string;
let broken: string;
let cacheDir: string;

const team = entity('Group', 'shop-team', { type: 'team', children: [] });
const svc = (name: string, spec: Record<string, unknown>) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'shop-team', ...spec });

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-cli-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  repo = TestRepo.create();
  base = repo.commit({
    'teams.yaml': team,
    'redis.yaml': entity('Resource', 'redis', { type: 'cache', owner: 'shop-team', criticality: 'medium' }),
    'cart.yaml': svc('cart', { dependsOn: ['resource:redis'], criticality: 'high' }),
    'checkout.yaml': svc('checkout', { dependsOn: ['component:cart'], criticality: 'critical' }),
    'web.yaml': svc('web', { dependsOn: ['component:checkout'], criticality: 'low' }),
  });
  repo.branch('base');
  head = repo.commit({ 'redis.yaml': entity('Resource', 'redis', { type: 'cache', owner: 'shop-team', criticality: 'high' }) });
  repo.branch('change');
  broken = repo.commit({ 'cart.yaml': undefined, 'bad.yaml': 'apiVersion: cmdb/v1\nkind: Component\nmetadata:\n  name: x\nspec:\n  type: [\n' });
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

describe('cmdb validate', () => {
  it('exits 0 on a valid catalog', async () => {
    const r = await cmdb('validate', '--repo', repo.dir, '--ref', head);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/valid: 5 entities/);
  });

  it('exits 1 with one file:line:column line per problem', async () => {
    const r = await cmdb('validate', '--repo', repo.dir, '--ref', broken);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^bad\.yaml:7:1: .*\[yaml\]$/);
    expect(lines[1]).toMatch(/^checkout\.yaml:\d+:\d+: spec\.dependsOn refers to component:default\/cart, which does not exist \[dangling-reference\]$/);
  });

  it('exits 2 for a missing repository or revision, with one line and no stack', async () => {
    const missing = await cmdb('validate', '--repo', '/nonexistent/repo');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr.trim()).toBe('cmdb: --repo: repository /nonexistent/repo does not exist');
    const ref = await cmdb('validate', '--repo', repo.dir, '--ref', 'nope');
    expect(ref.code).toBe(2);
    expect(ref.stderr).toMatch(/^cmdb: --ref: revision "nope" does not name a commit/);
  });
});

describe('cmdb impact', () => {
  it('prints the blast radius as JSON', async () => {
    const r = await cmdb('impact', 'resource:redis', '--repo', repo.dir, '--ref', 'change', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      roots: ['resource:default/redis'],
      entities: [
        { ref: 'component:default/cart', kind: 'component', distance: 1, via: ['resource:default/redis'] },
        { ref: 'component:default/checkout', kind: 'component', distance: 2, via: ['resource:default/redis', 'component:default/cart'] },
        { ref: 'component:default/web', kind: 'component', distance: 3, via: ['resource:default/redis', 'component:default/cart', 'component:default/checkout'] },
      ],
    });
  });

  it('honours --depth and accepts a unique bare name', async () => {
    const r = await cmdb('impact', 'REDIS', '--repo', repo.dir, '--ref', head, '--depth', '1', '--format', 'json');
    expect(JSON.parse(r.stdout).entities.map((e: { ref: string }) => e.ref)).toEqual(['component:default/cart']);
  });

  it('exits 2 for an unknown entity or a bad depth', async () => {
    expect((await cmdb('impact', 'component:ghost', '--repo', repo.dir)).code).toBe(2);
    const depth = await cmdb('impact', 'redis', '--repo', repo.dir, '--depth', 'zero');
    expect(depth.code).toBe(2);
    expect(depth.stderr).toMatch(/--depth.*positive integer/);
  });
});

describe('cmdb check', () => {
  it('reports changes, impact and the decision as JSON', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', 'base', '--head', 'change', '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.base).toBe(base);
    expect(report.head).toBe(head);
    expect(report.changes).toEqual([{ ref: 'resource:default/redis', kind: 'resource', op: 'modified', file: 'redis.yaml', fields: ['spec.criticality'] }]);
    expect(report.impact.entities.map((e: { ref: string; distance: number }) => [e.ref, e.distance])).toEqual([
      ['component:default/cart', 1],
      ['component:default/checkout', 2],
      ['component:default/web', 3],
    ]);
    expect(report.impact.maxCriticality).toBe('critical');
    expect(report.impact.owners).toEqual(['group:default/shop-team']);
    // The change reaches a critical entity: the built-in critical-needs-cab policy asks the CAB (absent from this repo).
    expect(report.violations).toEqual([expect.objectContaining({ rule: 'approvals', severity: 'warning', ref: 'group:default/cab' })]);
    expect(report.risk).toBe('high');
    expect(report.changeType).toBe('normal');
    expect(report.approvals).toEqual({
      required: [{ from: 'group:default/cab', count: 1, reason: expect.stringMatching(/^critical-needs-cab: /), satisfiedBy: [] }],
      satisfied: false,
    });
    expect(report.decision).toBe('needs-approval');
  });

  it('blocks a change that removes an entity others depend on, and exits 1', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', head, '--head', broken, '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.decision).toBe('blocked');
    expect(report.changes.map((c: { ref: string; op: string }) => [c.ref, c.op])).toEqual([['component:default/cart', 'removed']]);
    expect(report.violations).toContainEqual(
      expect.objectContaining({ rule: 'dangling-reference', severity: 'error', file: 'checkout.yaml', message: expect.stringMatching(/which this change removes/) }),
    );
  });

  it('renders text and markdown', async () => {
    const text = await cmdb('check', '--repo', repo.dir, '--base', 'base', '--head', 'change');
    expect(text.stdout).toMatch(/^Decision: NEEDS APPROVAL {3}Risk: high {3}Change type: normal/);
    expect(text.stdout).toMatch(/component:default\/web \(low, distance 3/);
    const md = await cmdb('check', '--repo', repo.dir, '--base', 'base', '--head', 'change', '--format', 'markdown');
    expect(md.stdout).toMatch(/^## gitops-cmdb: 🟡 Needs approval\n\n\*\*Risk:\*\* high · \*\*Change type:\*\* normal/);
    expect(md.stdout).toMatch(/\| `resource:default\/redis` \| modified \| `redis.yaml` \| `spec.criticality` \|/);
  });

  it('names the option of an unknown revision', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', 'base', '--head', 'nope');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^cmdb: --head: revision "nope" does not name a commit in .*\n$/);
    expect((await cmdb('check', '--repo', repo.dir, '--base', 'nope', '--head', 'change')).stderr).toMatch(/^cmdb: --base: revision "nope"/);
  });

  it('exits 2 with one line naming the step and the message when a step fails (a blob missing from the repository); JSON still reports it', async () => {
    const damaged = TestRepo.create();
    try {
      const from = damaged.commit({ 'teams.yaml': team });
      const to = damaged.commit({ 'lost.yaml': svc('lost-in-the-object-store', { criticality: 'low' }) });
      const blob = damaged.git('rev-parse', `${to}:lost.yaml`);
      fs.rmSync(path.join(damaged.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
      for (const format of ['text', 'json']) {
        const r = await cmdb('check', '--repo', damaged.dir, '--no-cache', '--base', from, '--head', to, '--format', format);
        expect(r.code).toBe(2);
        if (format === 'text') expect(r.stdout).toBe('');
        else expect(JSON.parse(r.stdout)).toMatchObject({ decision: 'internal', failure: { step: 'load', message: expect.stringContaining(blob) } });
        expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
        expect(r.stderr).toMatch(new RegExp(`^cmdb: could not evaluate the change: the load step failed: .*${blob}`));
      }
    } finally {
      damaged.remove();
    }
  });

  it('caps long lists in the text report (--limit N, "and N more"); JSON stays complete', async () => {
    const many = TestRepo.create();
    try {
      const services = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`svc-${i}.yaml`, svc(`svc-${String(i).padStart(2, '0')}`, { criticality: 'low' })]));
      const from = many.commit({ 'teams.yaml': team });
      const to = many.commit(services);
      const text = await cmdb('check', '--repo', many.dir, '--base', from, '--head', to);
      expect(text.code).toBe(0);
      const changes = (out: string) => out.split('\n').filter((l) => /^ {2}\+ component:default\/svc-/.test(l)).length;
      expect(changes(text.stdout)).toBe(25);
      expect(text.stdout).toContain('  ... and 5 more');
      const limited = await cmdb('check', '--repo', many.dir, '--base', from, '--head', to, '--limit', '3');
      expect(changes(limited.stdout)).toBe(3);
      expect(limited.stdout).toContain('  ... and 27 more');
      const json = await cmdb('check', '--repo', many.dir, '--base', from, '--head', to, '--format', 'json', '--limit', '3');
      expect(JSON.parse(json.stdout).changes).toHaveLength(30);
      const bad = await cmdb('check', '--repo', many.dir, '--base', from, '--head', to, '--limit', '0');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--limit.*positive integer/);
    } finally {
      many.remove();
    }
  });

  it('exits 2 on usage errors', async () => {
    expect((await cmdb('check', '--repo', repo.dir, '--base', 'base')).code).toBe(2);
    expect((await cmdb('check', '--repo', repo.dir, '--base', 'base', '--head', 'change', '--format', 'xml')).code).toBe(2);
    expect((await cmdb('frobnicate')).code).toBe(2);
  });
});

describe('option errors name the option typed', () => {
  it.each([
    [['changes', '--since', 'yesterday'], /^cmdb: --since "yesterday" is not an RFC 3339 date-time/],
    [['check', '--base', 'base', '--head', 'change', '--at', '2026-12-24'], /^cmdb: --at "2026-12-24" is not an RFC 3339 date-time/],
    [['impact', 'redis', '--ref', 'nope'], /^cmdb: --ref: revision "nope" does not name a commit/],
    [['graph', 'sync', '--neo4j', 'bolt://127.0.0.1:1', '--ref', 'nope'], /^cmdb: --ref: revision "nope" does not name a commit/],
    [['impact', 'redis', '--depth', '0'], /^cmdb: option '--depth <n>' argument '0' is invalid\. must be a positive integer \(run cmdb impact --help for usage\)\n$/],
    [['graph', 'export'], /^cmdb: required option '--out <dir>' not specified \(run cmdb graph export --help for usage\)\n$/],
    [['frobnicate'], /^cmdb: unknown command 'frobnicate' \(run cmdb --help for usage\)\n$/],
    [['chek'], /^cmdb: unknown command 'chek' \(Did you mean check\?\) \(run cmdb --help for usage\)\n$/],
    [['impact', 'redis', '--depht', '2'], /^cmdb: unknown option '--depht' \(Did you mean --depth\?\) \(run cmdb impact --help for usage\)\n$/],
  ])('cmdb %j', async (args, message) => {
    const r = await cmdb(...args, ...(args[0] === 'changes' ? ['--state-dir', cacheDir] : ['--repo', repo.dir]));
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(message);
  });

  it('cmdb changes --state-dir naming a file', async () => {
    const file = path.join(cacheDir, 'not-a-dir');
    fs.writeFileSync(file, '');
    const r = await cmdb('changes', '--state-dir', file);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^cmdb: --state-dir: cannot read .*not-a-dir\/changes\.jsonl/);
  });
});

describe('the cmdb binary', () => {
  it('prints help and exits 0', () => {
    const r = cmdbProcess(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: cmdb/);
    expect(r.stdout).toMatch(/validate/);
  });

  it('gives one line, no stack trace, for bad input', () => {
    const r = cmdbProcess(['validate', '--repo', repo.dir, '--ref', broken]);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
    const missing = cmdbProcess(['check', '--repo', '/nonexistent', '--base', 'a', '--head', 'b']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('cmdb validate on policies', () => {
  it('reports a policy whose CEL does not type-check, at the expression, and exits 1', async () => {
    const policyRepo = TestRepo.create();
    try {
      const sha = policyRepo.commit({
        'policy.yaml': 'apiVersion: cmdb/v1\nkind: ChangePolicy\nmetadata: {name: broken}\nspec:\n  description: broken\n  match: "impact.count > \'x\'"\n  risk: high\n',
      });
      const r = await cmdb('validate', '--repo', policyRepo.dir, '--ref', sha);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^policy\.yaml:6:\d+: .*/m);
    } finally {
      policyRepo.remove();
    }
  });
});
