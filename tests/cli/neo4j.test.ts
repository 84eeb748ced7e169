import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startRuntime } from '../../server/Runtime.ts';
import { useSharedNeo4j } from '../graph/neo4jShared.ts';
import { importNeo4jStore, startNeo4j } from '../infra/neo4j.ts';
import { cmdb } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

const UNREACHABLE = 'bolt://127.0.0.1:1';
const neo4j = useSharedNeo4j();
let repo: TestRepo;
let first: string;
let second: string;
let broken: string;
let cacheDir: string;

const svc = (name: string, deps: string[]) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'team', dependsOn: deps });

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-neo4j-cli-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  repo = TestRepo.create();
  first = repo.commit({
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team' }),
    'api.yaml': svc('api', ['resource:db']),
    'old.yaml': svc('old', ['resource:db']),
  });
  second = repo.commit({ 'web.yaml': svc('web', ['component:api']), 'old.yaml': undefined });
  repo.git('checkout', '-q', '-b', 'broken');
  broken = repo.commit({ 'web.yaml': svc('web', ['component:api', 'component:ghost']) });
  repo.checkout('main');
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

const entityRefs = async () => (await neo4j.dump()).nodes.filter((n) => n.labels.includes('Entity')).map((n) => n.properties.ref).sort();

describe('cmdb graph sync', () => {
  it('needs a Neo4j store', async () => {
    const r = await cmdb('graph', 'sync', '--repo', repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/graph sync needs a Neo4j store/);
  });

  it('rebuilds an empty store, then applies only diffs, and leaves nothing of the old commit', async () => {
    await neo4j.clear();
    const rebuild = await cmdb('--neo4j', neo4j.uri(), 'graph', 'sync', '--repo', repo.dir, '--ref', first);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toMatch(/rebuilt with 4 entities; now at/);
    expect(await entityRefs()).toEqual(['component:default/api', 'component:default/old', 'group:default/team', 'resource:default/db']);
    const incremental = await cmdb('--neo4j', neo4j.uri(), 'graph', 'sync', '--repo', repo.dir, '--ref', second);
    expect(incremental.stdout).toMatch(new RegExp(`applied the diff from ${first.slice(0, 12)}; now at ${second}`));
    expect(await entityRefs()).toEqual(['component:default/api', 'component:default/web', 'group:default/team', 'resource:default/db']);
    const again = await cmdb('--neo4j', neo4j.uri(), 'graph', 'sync', '--repo', repo.dir, '--ref', second);
    expect(again.stdout).toMatch(/already up to date/);
  });

  it('syncs the valid part of a commit with violations, prints them as validate does, and exits 0 (1 with --strict)', async () => {
    await neo4j.clear();
    const r = await cmdb('--neo4j', neo4j.uri(), 'graph', 'sync', '--repo', repo.dir, '--ref', broken);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`rebuilt with 4 entities; now at ${broken}`));
    const validate = await cmdb('validate', '--repo', repo.dir, '--ref', broken);
    expect(validate.code).toBe(1);
    expect(r.stdout).toContain(validate.stdout.trim());
    expect(validate.stdout).toMatch(/^web\.yaml:\d+:\d+: .*component:default\/ghost.* \[dangling-reference\]$/m);
    expect(r.stderr).toBe(`synced the valid part: 1 error(s), 0 warning(s) in 4 entities at ${broken.slice(0, 12)}\n`);
    expect(await entityRefs()).toContain('component:default/web');
    const strict = await cmdb('--neo4j', neo4j.uri(), 'graph', 'sync', '--repo', repo.dir, '--ref', broken, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/already up to date/);
    const strictValid = await cmdb('--neo4j', neo4j.uri(), 'graph', 'sync', '--repo', repo.dir, '--ref', second, '--strict');
    expect(strictValid.code).toBe(0);
    expect(strictValid.stderr).toBe('');
  });

  it('answers impact from the commit Neo4j holds, and refuses another --ref', async () => {
    await cmdb('--neo4j', neo4j.uri(), 'graph', 'sync', '--repo', repo.dir, '--ref', second);
    const r = await cmdb('--neo4j', neo4j.uri(), 'impact', 'resource:db', '--repo', repo.dir, '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).entities.map((e: { ref: string }) => e.ref)).toEqual(['component:default/api', 'component:default/web']);
    const other = await cmdb('--neo4j', neo4j.uri(), 'impact', 'resource:db', '--repo', repo.dir, '--ref', first);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/run cmdb graph sync --ref/);
  });

  it('exits 2 with one line naming the URI when Neo4j is unreachable', async () => {
    const r = await cmdb('--neo4j', UNREACHABLE, 'graph', 'sync', '--repo', repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(UNREACHABLE);
  });
});

describe('cmdb graph export', () => {
  it('writes files neo4j-admin imports into a store at the commit, from which graph sync goes on incrementally', async () => {
    const out = path.join(cacheDir, 'export');
    const r = await cmdb('graph', 'export', '--repo', repo.dir, '--ref', broken, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote 4 entities and 5 relationships at ${broken} to ${out}\n`);
    expect(r.stdout).toContain(`seed a new, empty Neo4j database (Neo4j stopped) with: neo4j-admin database import full @${out}/import.args neo4j\n`);
    // The valid part, with the commit's violations printed as graph sync prints them.
    expect(r.stdout).toMatch(/^web\.yaml:\d+:\d+: .*component:default\/ghost.* \[dangling-reference\]$/m);
    expect(r.stderr).toBe(`exported the valid part: 1 error(s), 0 warning(s) in 4 entities at ${broken.slice(0, 12)}\n`);

    const imported = await importNeo4jStore(path.join(out, 'import.args'));
    try {
      const server = await startNeo4j({ copyFrom: imported.home });
      try {
        const sync = await cmdb('--neo4j', server.uri, 'graph', 'sync', '--repo', repo.dir, '--ref', second);
        expect(sync.stdout).toMatch(new RegExp(`applied the diff from ${broken.slice(0, 12)}; now at ${second}`));
        const impact = await cmdb('--neo4j', server.uri, 'impact', 'resource:db', '--repo', repo.dir, '--format', 'json');
        expect(JSON.parse(impact.stdout).entities.map((e: { ref: string }) => e.ref)).toEqual(['component:default/api', 'component:default/web']);
      } finally {
        await server.stop();
      }
    } finally {
      await imported.remove();
    }

    const again = await cmdb('graph', 'export', '--repo', repo.dir, '--ref', broken, '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`^cmdb: ${out}: the export directory must be empty .*\n$`));
    const strict = await cmdb('graph', 'export', '--repo', repo.dir, '--ref', broken, '--out', path.join(cacheDir, 'strict'), '--strict');
    expect(strict.code).toBe(1);
  });

  it('a file it cannot write is named, with the reason, in one line and a non-zero exit (no stack trace)', async () => {
    // A directory whose path is just under PATH_MAX (4096): it can be made, but no file in it can be written (ENAMETOOLONG).
    let out = path.join(cacheDir, 'long');
    while (out.length < 4090) out = path.join(out, 'd'.repeat(Math.min(250, 4090 - out.length - 1)));
    expect(out.length).toBe(4090);
    const r = await cmdb('graph', 'export', '--repo', repo.dir, '--ref', broken, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^cmdb: ${out}/[^/\\n]+: cannot write the export \\(ENAMETOOLONG\\); empty the directory before exporting again\n$`));
  });
});

describe('cmdb serve with Neo4j', () => {
  const impactQuery = async (url: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ impact(refs: ["resource:db"]) { entities { ref } } }' }),
    });
    return (await res.json()) as { data?: { impact: { entities: Array<{ ref: string }> } }; errors?: unknown[] };
  };
  const start = (uri: string) =>
    startRuntime({ flags: { repo: repo.dir, ref: 'main', port: 0, host: '127.0.0.1', poll: 0, neo4j: uri }, env: {}, log: pino({ level: 'silent' }), out: () => undefined });

  it('is live but not ready while Neo4j is unreachable, and still answers from its last good state', async () => {
    const handle = await start(UNREACHABLE);
    try {
      expect((await fetch(`${handle.url}/livez`)).status).toBe(200);
      const ready = await fetch(`${handle.url}/readyz`);
      expect(ready.status).toBe(503);
      const readiness = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean; message: string }> };
      expect(readiness.status).toBe('unhealthy');
      expect(readiness.checks.catalog.ok).toBe(false);
      expect(readiness.checks.catalog.message).toContain(UNREACHABLE);
      expect((await fetch(`${handle.url}/healthz`)).status).toBe(503);
      expect(handle.follower.lastError).toContain(UNREACHABLE);
      const body = await impactQuery(handle.url);
      expect(body.data?.impact.entities.map((e) => e.ref)).toEqual(['component:default/api', 'component:default/web']);
      expect(handle.follower.nextDelay(1000)).toBe(2000);
    } finally {
      await handle.shutdown();
    }
  });

  it('follows the branch into Neo4j and rebuilds after Neo4j lost its data', async () => {
    await neo4j.clear();
    const handle = await start(neo4j.uri());
    try {
      expect((await fetch(`${handle.url}/readyz`)).status).toBe(200);
      expect(await handle.graph.commit()).toBe(second);
      await neo4j.clear();
      await handle.follower.refresh();
      expect(await handle.graph.commit()).toBe(second);
      expect(await entityRefs()).toHaveLength(4);
      expect((await impactQuery(handle.url)).data?.impact.entities).toHaveLength(2);
    } finally {
      await handle.shutdown();
    }
  });
});
