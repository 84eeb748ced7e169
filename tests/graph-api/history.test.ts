import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { openRepo } from '../../catalog/git/openRepo.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { parseIsoDate, type CatalogHistory } from '../../graph-api/history/CatalogHistory.ts';
import { servedApiSource } from '../../graph-api/servedSource.ts';
import { createGraphqlHandler } from '../../graph-api/server.ts';
import type { RunningHttpServer } from '../../server/listen.ts';
import { cmdb } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { serveRoutes } from '../helpers/http.ts';
import type { GraphQLResponse } from './helpers.ts';

/** Commits with the given committer date (TestRepo's are all 2026-01-01). */
function commitAt(repo: TestRepo, date: string, files: Record<string, string | undefined>): string {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(repo.dir, rel);
    fs.rmSync(file, { force: true });
    if (content === undefined) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  const env = { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  execFileSync('git', ['add', '-A'], { cwd: repo.dir, env });
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', `at ${date}`], { cwd: repo.dir, env });
  return repo.git('rev-parse', 'HEAD');
}

let repo: TestRepo;
let tmp: string;
let server: RunningHttpServer;
let history: CatalogHistory;
let dispose: () => Promise<void>;
const commits: string[] = [];

async function gql<T = Record<string, any>>(query: string): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, ...((await res.json()) as Omit<GraphQLResponse<T>, 'status'>) };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-history-'));
  process.env.CMDB_CACHE_DIR = path.join(tmp, 'cache');
  repo = TestRepo.create();
  // c0: cart depends on redis; c1: redis removed, web added; c2: cart gets a title; c3: nothing of the catalog changes.
  commits.push(
    commitAt(repo, '2026-01-01T00:00:00Z', {
      'catalog/cart.yaml': entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'group:team', dependsOn: ['resource:redis'] }),
      'catalog/redis.yaml': entity('Resource', 'redis', { type: 'database', owner: 'group:team' }),
      'catalog/team.yaml': entity('Group', 'team', { type: 'team' }),
    }),
  );
  commits.push(
    commitAt(repo, '2026-01-02T00:00:00Z', {
      'catalog/redis.yaml': undefined,
      'catalog/cart.yaml': entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'group:team' }),
      'catalog/web.yaml': entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'group:team', dependsOn: ['component:cart'] }),
    }),
  );
  commits.push(commitAt(repo, '2026-01-03T00:00:00+02:00', { 'catalog/cart.yaml': entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'group:team' }, { title: 'Cart' }) }));
  commits.push(commitAt(repo, '2026-01-04T00:00:00Z', { 'README.md': 'hello' }));
  repo.git('tag', 'v0', commits[0]);
  repo.branch('old', commits[0]);
  const reader = new CatalogReader({ git: await openRepo(repo.dir), cache: false });
  const served = await reader.read('main');
  const store = new InMemoryGraphStore({ snapshot: served });
  // As the server wires it: the follower's snapshot and violations, its reader, the followed branch.
  const source = servedApiSource({ store, follower: { snapshot: served, violations: [] }, reader, ref: 'main', repo: repo.dir, keep: 2 });
  history = source.history!;
  const graphql = createGraphqlHandler({ source, logger: false });
  server = await serveRoutes([{ methods: ['GET', 'POST'], path: graphql.path, handler: graphql.handle }]);
  dispose = async () => {
    await server.close();
    await graphql.dispose();
  };
});

afterAll(async () => {
  await dispose?.();
  repo?.remove();
  fs.rmSync(tmp, { recursive: true, force: true });
  delete process.env.CMDB_CACHE_DIR;
});

describe('Query.catalog(at:)', () => {
  it('finds at an older commit an entity deleted later, with its relations of then', async () => {
    const res = await gql(`{
      old: catalog(at: "${commits[0]}") {
        commit { sha committedAt }
        entity(ref: "redis") { ref commit dependents { ref dependsOn { ref } } }
        cart: entity(ref: "component:cart") { dependsOn { ref } impact { count } neighbours(relation: DEPENDS_ON) { entity { dependents { ref } } } }
        resources: entities(kind: "resource") { nodes { dependents { ref } } }
      }
      now: entity(ref: "resource:redis") { ref }
      cart: entity(ref: "component:cart") { dependsOn { ref } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      old: {
        commit: { sha: commits[0], committedAt: '2026-01-01T00:00:00Z' },
        entity: { ref: 'resource:default/redis', commit: commits[0], dependents: [{ ref: 'component:default/cart', dependsOn: [{ ref: 'resource:default/redis' }] }] },
        cart: { dependsOn: [{ ref: 'resource:default/redis' }], impact: { count: 0 }, neighbours: [{ entity: { dependents: [{ ref: 'component:default/cart' }] } }] },
        resources: { nodes: [{ dependents: [{ ref: 'component:default/cart' }] }] },
      },
      now: null,
      cart: { dependsOn: [] },
    });
  });

  it('answers every catalog field against that commit', async () => {
    const res = await gql(`{ catalog(at: "v0") {
      entities { totalCount nodes { ref } }
      impact(refs: ["resource:redis"]) { entities { ref entity { dependsOn { ref } } } }
      path(from: "cart", to: "redis") { ref }
      dependencyCycles
      catalogViolations { rule }
      search(text: "red") { ref dependents { ref } }
      neighbourhood(ref: "redis") { nodes { ref } edges { source relation target } }
    } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.catalog).toEqual({
      entities: { totalCount: 3, nodes: [{ ref: 'component:default/cart' }, { ref: 'group:default/team' }, { ref: 'resource:default/redis' }] },
      impact: { entities: [{ ref: 'component:default/cart', entity: { dependsOn: [{ ref: 'resource:default/redis' }] } }] },
      path: [{ ref: 'component:default/cart' }, { ref: 'resource:default/redis' }],
      dependencyCycles: [],
      catalogViolations: [],
      search: [{ ref: 'resource:default/redis', dependents: [{ ref: 'component:default/cart' }] }],
      neighbourhood: {
        nodes: [{ ref: 'resource:default/redis' }, { ref: 'component:default/cart' }, { ref: 'group:default/team' }],
        edges: [
          { source: 'component:default/cart', relation: 'DEPENDS_ON', target: 'resource:default/redis' },
          { source: 'component:default/cart', relation: 'OWNED_BY', target: 'group:default/team' },
          { source: 'resource:default/redis', relation: 'OWNED_BY', target: 'group:default/team' },
        ],
      },
    });
  });

  it('resolves branches, tags and ISO dates (the last commit of the followed branch at or before)', async () => {
    // At most 5 catalog(at:) per query (their cost): two queries.
    const revisions = await gql(`{
      tag: catalog(at: "v0") { commit { sha } }
      branch: catalog(at: "old") { commit { sha } }
      head: catalog(at: "main") { commit { sha } }
    }`);
    const dates = await gql(`{
      noon: catalog(at: "2026-01-01T12:00:00Z") { commit { sha } }
      day: catalog(at: "2026-01-02") { commit { sha } }
      offset: catalog(at: "2026-01-02T23:00:00+01:00") { commit { sha committedAt } }
      before: catalog(at: "2026-01-02T21:59:59Z") { commit { sha } }
    }`);
    expect(revisions.errors ?? dates.errors).toBeUndefined();
    expect({ ...revisions.data, ...dates.data }).toEqual({
      tag: { commit: { sha: commits[0] } },
      branch: { commit: { sha: commits[0] } },
      head: { commit: { sha: commits[3] } },
      noon: { commit: { sha: commits[0] } },
      day: { commit: { sha: commits[1] } }, // midnight UTC: the commit of that instant
      offset: { commit: { sha: commits[2], committedAt: '2026-01-02T22:00:00Z' } },
      before: { commit: { sha: commits[1] } },
    });
    const six = await gql(`{ ${Array.from({ length: 6 }, (_, i) => `c${i}: catalog(at: "v0") { commit { sha } }`).join(' ')} }`);
    expect(six.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses what names no commit', async () => {
    const refused = async (at: string) => {
      const res = await gql(`{ catalog(at: "${at}") { commit { sha } } }`);
      expect(res.data).toBeNull();
      return res.errors?.map((e) => [e.message, e.extensions?.code]);
    };
    expect(await refused('nope')).toEqual([['"nope" names no commit, branch or tag of the config repository.', 'BAD_USER_INPUT']]);
    expect(await refused('2025-12-31')).toEqual([['No commit of main at or before 2025-12-31T00:00:00.000Z.', 'BAD_USER_INPUT']]);
    expect(await refused(' ')).toEqual([['"at" is empty: give a commit, a branch, a tag or an ISO date.', 'BAD_USER_INPUT']]);
  });

  it('keeps at most `keep` commits loaded, the served one answered without loading', async () => {
    for (const commit of commits.slice(0, 3)) await gql(`{ catalog(at: "${commit}") { commit { sha } } }`);
    expect(history.cached).toEqual([commits[1], commits[2]]);
    await gql(`{ catalog(at: "${commits[1]}") { entity(ref: "web") { ref } } }`);
    expect(history.cached).toEqual([commits[2], commits[1]]);
    const head = await gql(`{ catalog(at: "main") { entity(ref: "web") { title } } }`);
    expect(head.data?.catalog.entity).toEqual({ title: null });
    expect(history.cached).toEqual([commits[2], commits[1]]);
  });
});

describe('Query.diff and Query.evaluateChange', () => {
  it('diff lists what `cmdb check` lists in `changes`', async () => {
    const res = await gql(`{ diff(from: "v0", to: "main") { from { sha } to { sha } changes { ref kind op file fields } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.diff).toEqual({
      from: { sha: commits[0] },
      to: { sha: commits[3] },
      changes: [
        { ref: 'component:default/cart', kind: 'component', op: 'MODIFIED', file: 'catalog/cart.yaml', fields: ['metadata.title', 'spec.dependsOn'] },
        { ref: 'component:default/web', kind: 'component', op: 'ADDED', file: 'catalog/web.yaml', fields: [] },
        { ref: 'resource:default/redis', kind: 'resource', op: 'REMOVED', file: 'catalog/redis.yaml', fields: [] },
      ],
    });
  });

  it('evaluateChange returns the report `cmdb check --format json` prints', async () => {
    const at = '2026-02-01T10:00:00Z';
    const res = await gql(`{ evaluateChange(base: "v0", head: "${commits[2]}", at: "${at}") { base head decision risk changeType report } }`);
    expect(res.errors).toBeUndefined();
    const cli = await cmdb('check', '--repo', repo.dir, '--base', 'v0', '--head', commits[2], '--at', at, '--format', 'json');
    const printed = JSON.parse(cli.stdout);
    const evaluation = res.data?.evaluateChange;
    expect(evaluation.report).toEqual(printed);
    expect(evaluation).toMatchObject({ base: commits[0], head: commits[2], decision: printed.decision, risk: printed.risk, changeType: printed.changeType });
    expect(printed.changes.map((c: { ref: string }) => c.ref)).toEqual(['component:default/cart', 'component:default/web', 'resource:default/redis']);
  });
});

describe('parseIsoDate', () => {
  it('reads dates and times, UTC unless an offset is given, and nothing else', () => {
    expect(parseIsoDate('2026-01-02')?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(parseIsoDate('2026-01-02T10:30')?.toISOString()).toBe('2026-01-02T10:30:00.000Z');
    expect(parseIsoDate('2026-01-02 10:30:05.5+0200')?.toISOString()).toBe('2026-01-02T08:30:05.500Z');
    expect(parseIsoDate('main')).toBeUndefined();
    expect(parseIsoDate('2026-13-45')).toBeUndefined();
    expect(parseIsoDate('abc2026-01-02')).toBeUndefined();
  });
});
