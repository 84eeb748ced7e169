import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { CmdbError } from '../../core/errors.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import type { Snapshot } from '../../catalog/types.ts';
import { sameNodeContent } from '../../graph/graphDiff.ts';
import type { GraphNode, GraphStore } from '../../graph/GraphStore.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { Neo4jGraphStore, type Neo4jGraphStoreOptions } from '../../graph/Neo4jGraphStore.ts';
import { syncStore } from '../../graph/syncStore.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { everything, mutateFixture, snapshotPair } from './changes.ts';
import { buildSnapshot, SHOP, type SnapshotFixture } from './fixtures.ts';
import { useSharedNeo4j } from './neo4jShared.ts';
import { randomFixture } from './random.ts';

const neo4j = useSharedNeo4j();

type Options = Omit<Neo4jGraphStoreOptions, 'uri'>;

const implementations: { name: string; create: (options?: Options) => GraphStore }[] = [
  { name: 'memory', create: () => new InMemoryGraphStore({}) },
  // A tiny batch size, so that every fixture takes many batches.
  { name: 'neo4j', create: (options = {}) => new Neo4jGraphStore({ uri: neo4j.uri(), batchSize: 3, ...options }) },
];

const open: GraphStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

function track<T extends GraphStore>(store: T): T {
  open.push(store);
  return store;
}

/** SHOP, changed: checkout removed, cart retitled and re-owned, a new service, relations added and removed. */
const SHOP_NEXT: SnapshotFixture = {
  commit: 'aaaa000000000000000000000000000000000002',
  entities: [
    ...SHOP.entities.filter((e) => (typeof e === 'string' ? e : e.ref) !== 'component:shop/checkout').map((e) =>
      typeof e !== 'string' && e.ref === 'component:shop/cart' ? { ...e, title: 'Cart', owner: 'group:eng', labels: { tier: 'core' } } : e,
    ),
    { ref: 'component:shop/payments', criticality: 'critical' },
  ],
  relations: [
    ...SHOP.relations!.filter((r) => !r.startsWith('component:shop/cart runsOn')),
    'component:shop/payments dependsOn component:shop/cart',
    'component:shop/payments runsOn cluster:prod',
  ],
};

/** Pairs (base, head) of fixtures: SHOP's change and random changes to random catalogs. */
function changes(): [string, Snapshot, Snapshot][] {
  const pairs: [string, Snapshot, Snapshot][] = [['shop', ...snapshotPair(SHOP, SHOP_NEXT)]];
  for (const seed of [1, 2, 3]) {
    const base = randomFixture(seed, 120, 300);
    pairs.push([`random ${seed}`, ...snapshotPair(base, mutateFixture(base, seed + 100, `head-${seed}`))]);
  }
  return pairs;
}

/** What load(head) answers, with each node's commit as applyDiff(base, head) keeps it. */
async function expectedAfterDiff(base: Snapshot, head: Snapshot): Promise<unknown> {
  const before = new InMemoryGraphStore({ snapshot: base });
  const expected = (await everything(new InMemoryGraphStore({ snapshot: head }))) as { nodes: GraphNode[] };
  for (const node of expected.nodes) {
    const old = await before.getEntity(node.ref);
    if (old !== undefined && sameNodeContent(old, node)) node.commit = base.commit;
  }
  return expected;
}

describe.each(implementations)('applyDiff: $name', ({ name, create }) => {
  beforeEach(async () => {
    if (name === 'neo4j') await neo4j.clear();
  });

  it.each(changes())('gives the answers of load(head), keeping the commit of unchanged nodes (%s)', async (_, base, head) => {
    const store = track(create());
    await store.load(base);
    await store.applyDiff(base, head);
    expect(await everything(store)).toEqual(await expectedAfterDiff(base, head));
  });

  it('applies a chain of diffs', async () => {
    const first = randomFixture(4, 100, 250);
    const second = mutateFixture(first, 104, 'second');
    const third = mutateFixture(second, 204, 'third');
    const [a, b] = snapshotPair(first, second);
    const [, c] = snapshotPair(second, third);
    const store = track(create());
    await store.load(a);
    await store.applyDiff(a, b);
    await store.applyDiff(b, c);
    const expected = (await everything(new InMemoryGraphStore({ snapshot: c }))) as { nodes: GraphNode[] };
    const viaMemory = track(new InMemoryGraphStore({ snapshot: a }));
    await viaMemory.applyDiff(a, b);
    await viaMemory.applyDiff(b, c);
    expect(await everything(store)).toEqual(await everything(viaMemory));
    expect((await everything(store)) as object).toMatchObject({ ...expected, nodes: expected.nodes.map(({ commit: _, ...rest }) => rest) });
  });

  it('changes nothing for a diff to the commit it holds', async () => {
    const [base] = snapshotPair(SHOP, SHOP_NEXT);
    const store = track(create());
    await store.load(base);
    const before = await everything(store);
    await store.applyDiff(base, base);
    expect(await everything(store)).toEqual(before);
  });

  it('throws a graph-store error and writes nothing when the store does not hold the base', async () => {
    const [base, head] = snapshotPair(SHOP, SHOP_NEXT);
    const empty = track(create());
    await expect(empty.applyDiff(base, head)).rejects.toMatchObject({ code: 'graph-store', message: expect.stringContaining('holds no commit') });
    expect(await empty.commit()).toBeUndefined();
    const store = track(create());
    await store.load(head);
    const before = await everything(store);
    const error = await store.applyDiff(base, head).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CmdbError);
    expect(error).toMatchObject({ code: 'graph-store', message: expect.stringContaining(`holds commit ${head.commit}`) });
    expect(await everything(store)).toEqual(before);
  });
});

describe.each(implementations)('syncStore with a real repository: $name', ({ name, create }) => {
  const repos: TestRepo[] = [];
  beforeEach(async () => {
    if (name === 'neo4j') await neo4j.clear();
  });
  afterEach(() => {
    for (const repo of repos.splice(0)) repo.remove();
  });

  function repo(files: Record<string, string | undefined>[]): { reader: CatalogReader; commits: string[] } {
    const r = TestRepo.create();
    repos.push(r);
    const commits = files.map((f, i) => r.commit(f, `commit ${i}`));
    return { reader: new CatalogReader({ git: new NativeGitReader({ dir: r.dir }), cache: false }), commits };
  }

  const V1 = {
    'a.yaml': entity('Component', 'a', { type: 'service', lifecycle: 'production', owner: 'team', dependsOn: ['resource:db'], criticality: 'high' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team' }),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
  };
  const V2 = {
    'a.yaml': entity('Component', 'a', { type: 'service', lifecycle: 'production', owner: 'team', dependsOn: ['resource:cache'], criticality: 'low' }),
    'b.yaml': entity('Component', 'b', { type: 'service', lifecycle: 'experimental', owner: 'team', dependsOn: ['component:a'] }),
    'cache.yaml': entity('Resource', 'cache', { type: 'cache', owner: 'team' }),
    'db.yaml': undefined,
  };

  it('rebuilds an empty store, then applies diffs, and rebuilds after unrelated history', async () => {
    const { reader, commits } = repo([V1, V2]);
    const store = track(create());
    const first = await syncStore({ store, reader, rev: commits[0] });
    expect(first).toMatchObject({ mode: 'rebuild' });
    expect(first.snapshot.violations).toEqual([]);
    const synced = await syncStore({ store, reader, rev: commits[1] });
    expect(synced).toMatchObject({ mode: 'incremental', from: commits[0] });
    const fresh = new InMemoryGraphStore({ snapshot: synced.snapshot });
    const stripCommits = (all: unknown) => ({ ...(all as object), nodes: (all as { nodes: GraphNode[] }).nodes.map(({ commit: _, ...n }) => n) });
    expect(stripCommits(await everything(store))).toEqual(stripCommits(await everything(fresh)));
    expect((await store.getEntity('component:b'))?.commit).toBe(commits[1]);
    expect((await store.getEntity('group:team'))?.commit).toBe(commits[0]);

    const other = repo([{ 'x.yaml': entity('Component', 'x', { type: 'service', lifecycle: 'production', owner: 'team' }) }]);
    const rebuilt = await syncStore({ store, reader: other.reader, rev: other.commits[0] });
    expect(rebuilt).toMatchObject({ mode: 'rebuild', from: commits[1] });
    expect(await everything(store)).toEqual(await everything(new InMemoryGraphStore({ snapshot: rebuilt.snapshot })));
  });
});

describe('Neo4jGraphStore: a sync cut short is repaired by the next one', () => {
  const [base, head] = snapshotPair(randomFixture(5, 60, 150), mutateFixture(randomFixture(5, 60, 150), 105, 'head-5'));
  const [, other] = snapshotPair(randomFixture(5, 60, 150), mutateFixture(randomFixture(5, 60, 150), 205, 'other-5'));
  const store = (options: Options = {}) => track(new Neo4jGraphStore({ uri: neo4j.uri(), batchSize: 3, ...options }));

  /** The database after `steps` on an empty graph, read back with Cypher. */
  async function dumpAfter(steps: (s: GraphStore) => Promise<void>, options: Options = {}) {
    await neo4j.clear();
    await steps(store(options));
    return neo4j.dump();
  }

  /** Runs `operation` on a store that fails after `batches` write batches; true when it failed. */
  async function crash(batches: number, operation: (s: GraphStore) => Promise<void>, options: Options = {}): Promise<boolean> {
    return operation(store({ failAfterBatches: batches, ...options })).then(
      () => false,
      (error: unknown) => {
        expect(error).toMatchObject({ code: 'graph-store', message: expect.stringContaining('simulated crash') });
        return true;
      },
    );
  }

  const CUTS = [0, 1, 2, 5, 9, 14];

  it.each(CUTS)('re-applies a diff cut after %i batches when the next sync goes to the same head', async (batches) => {
    const clean = await dumpAfter(async (s) => {
      await s.load(base);
      await s.applyDiff(base, head);
    });
    await neo4j.clear();
    await store().load(base);
    expect(await crash(batches, (s) => s.applyDiff(base, head))).toBe(true);
    expect(await store().commit()).toBe(base.commit); // the marker has not moved
    await store().applyDiff(base, head);
    expect(await neo4j.dump()).toEqual(clean);
  });

  it.each(CUTS)('rebuilds after a diff cut after %i batches when the next sync goes elsewhere', async (batches) => {
    const fresh = await dumpAfter((s) => s.load(other));
    await neo4j.clear();
    await store().load(base);
    expect(await crash(batches, (s) => s.applyDiff(base, head))).toBe(true);
    await store().applyDiff(base, other);
    const dump = await neo4j.dump();
    expect(dump).toEqual(fresh);
    const entities = dump.nodes.filter((n) => n.labels.includes('Entity'));
    expect(entities.map((n) => n.properties.ref).sort()).toEqual([...other.entities.keys()].sort());
    expect(new Set(entities.map((n) => n.properties.commit))).toEqual(new Set([other.commit]));
  });

  it.each(CUTS)('redoes a load into an empty graph cut after %i batches, two transactions at a time', async (batches) => {
    const fresh = await dumpAfter((s) => s.load(head));
    await neo4j.clear();
    expect(await crash(batches, (s) => s.load(head), { writeConcurrency: 2 })).toBe(true);
    expect(await store().commit()).toBeUndefined();
    const cut = await neo4j.dump();
    expect(cut.nodes.length).toBeGreaterThan(0); // the marker at least: the crash came mid-way
    await store().load(head);
    expect(await neo4j.dump()).toEqual(fresh);
  });

  it('writes the same graph whatever the number of transactions at a time', async () => {
    const dense = buildSnapshot(randomFixture(8, 80, 600));
    const dumps = [];
    for (const writeConcurrency of [1, 2, 3, 4]) dumps.push(await dumpAfter((s) => s.load(dense), { writeConcurrency, batchSize: 7 }));
    expect(dumps[0].relationships.length).toBeGreaterThan(300);
    for (const dump of dumps.slice(1)) expect(dump).toEqual(dumps[0]);
  });

  it.each(CUTS)('rebuilds after a load cut after %i batches, whatever the next sync', async (batches) => {
    const fresh = await dumpAfter((s) => s.load(head));
    await neo4j.clear();
    await store().load(base);
    expect(await crash(batches, (s) => s.load(head))).toBe(true);
    expect(await store().commit()).toBeUndefined();
    await store().applyDiff(base, head);
    expect(await neo4j.dump()).toEqual(fresh);
  });
});
