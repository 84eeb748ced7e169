import { afterEach, describe, expect, it } from 'vitest';
import { RELATION_TYPES } from '../../catalog/relations.ts';
import type { ImpactFlow, RelationType, Snapshot } from '../../catalog/types.ts';
import type { GraphStore, ImpactResult } from '../../graph/GraphStore.ts';
import { buildSnapshot, ref, SHOP, type SnapshotFixture } from './fixtures.ts';
import { prng, randomFixture } from './random.ts';
import { referenceCycles, referenceImpact, referenceNeighbours, referenceShortestPath } from './reference.ts';

export type GraphStoreFactory = () => Promise<GraphStore>;

/**
 * The GraphStore contract. Call inside a describe block, once per
 * implementation (describe.each). `factory` gives a new, empty store whose
 * `name` starts with `name`; `teardown` (optional) runs after each test, before
 * the store is closed. Stores of one factory may share their backing database:
 * a test never queries a store after creating or loading another one.
 */
export function graphStoreContract(name: string, factory: GraphStoreFactory, teardown?: (store: GraphStore) => Promise<void>): void {
  const open: GraphStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) {
      await teardown?.(store);
      await store.close();
    }
  });

  /** A new store, loaded with the fixture when one is given. */
  async function storeWith(fixture?: SnapshotFixture | Snapshot): Promise<GraphStore> {
    const store = await factory();
    open.push(store);
    if (fixture) await store.load('rows' in fixture ? fixture : buildSnapshot(fixture));
    return store;
  }

  describe('empty and lifecycle', () => emptyAndLifecycle(name, storeWith, open, teardown));
  describe('entities', () => entities(storeWith));
  describe('load', () => loading(storeWith));
  describe('neighbours', () => neighbours(storeWith));
  describe('impact', () => impact(storeWith));
  describe('shortestPath', () => shortestPath(storeWith));
  describe('dependencyCycles', () => dependencyCycles(storeWith));
  describe('random graphs against a naive reference', () => randomGraphs(storeWith));
  describe('applyDiff', () => applyDiff(storeWith));
}

type StoreWith = (fixture?: SnapshotFixture | Snapshot) => Promise<GraphStore>;

const SHOP_COMMIT = SHOP.commit!;

function emptyAndLifecycle(name: string, storeWith: StoreWith, open: GraphStore[], teardown?: (store: GraphStore) => Promise<void>): void {
  it('names itself after the implementation', async () => {
    const store = await storeWith();
    expect(store.name.startsWith(name)).toBe(true);
  });

  it('answers every query on an empty store', async () => {
    const store = await storeWith();
    expect(await store.healthy()).toBe(true);
    expect(await store.commit()).toBeUndefined();
    expect(await store.getEntity('component:shop/cart')).toBeUndefined();
    expect(await store.getEntities(['component:shop/cart'])).toEqual([undefined]);
    expect(await store.listEntities({})).toEqual({ nodes: [], total: 0 });
    expect(await store.neighbours('component:shop/cart')).toEqual([]);
    expect(await store.impact(['component:shop/cart'])).toEqual({ roots: [], entities: [] });
    expect(await store.shortestPath('component:shop/cart', 'component:shop/cart')).toBeNull();
    expect(await store.dependencyCycles()).toEqual([]);
  });

  it('is healthy once loaded and not after close()', async () => {
    const store = await storeWith(SHOP);
    expect(await store.healthy()).toBe(true);
    open.splice(open.indexOf(store), 1);
    await teardown?.(store);
    await store.close();
    expect(await store.healthy()).toBe(false);
  });
}

function entities(storeWith: StoreWith): void {
  it('keeps the fields of an entity', async () => {
    const store = await storeWith(SHOP);
    expect(await store.getEntity('component:shop/cart')).toEqual({
      ref: 'component:shop/cart',
      kind: 'component',
      namespace: 'shop',
      name: 'cart',
      title: 'Cart service',
      criticality: 'high',
      lifecycle: 'production',
      owner: 'group:shop/shop-team',
      labels: { tier: 'backend' },
      file: 'services/cart.yaml',
      commit: SHOP_COMMIT,
    });
  });

  it('leaves out what an entity does not declare; kind is lower case', async () => {
    const store = await storeWith(SHOP);
    const api = await store.getEntity('api:shop/cart-api');
    expect(api).toEqual({ ref: 'api:shop/cart-api', kind: 'api', namespace: 'shop', name: 'cart-api', labels: {}, file: 'catalog/api/shop/cart-api.yaml', commit: SHOP_COMMIT });
    for (const key of ['title', 'criticality', 'lifecycle', 'owner'] as const) expect(api?.[key]).toBeUndefined();
  });

  it('takes the owner from the ownedBy relation, even when the owner is not in the catalog', async () => {
    const store = await storeWith({ entities: [{ ref: 'component:lonely', owner: 'nobody' }] });
    expect((await store.getEntity('component:lonely'))?.owner).toBe('group:default/nobody');
  });

  it('getEntities answers each ref as getEntity does, in the order given', async () => {
    const store = await storeWith(SHOP);
    const refs = ['Component:Shop/CART', 'component:nope', 'cluster:prod', 'not a ref', 'component:shop/cart'];
    const batch = await store.getEntities(refs);
    expect(batch).toEqual(await Promise.all(refs.map((ref) => store.getEntity(ref))));
    expect(batch.map((n) => n?.ref)).toEqual(['component:shop/cart', undefined, 'cluster:default/prod', undefined, 'component:shop/cart']);
    expect(await store.getEntities([])).toEqual([]);
    // Each answer is its own copy.
    batch[0]!.labels.tier = 'changed';
    expect(batch[4]!.labels.tier).toBe('backend');
    expect((await store.getEntity('component:shop/cart'))?.labels.tier).toBe('backend');
  });

  it('normalizes refs: case-insensitive, default namespace', async () => {
    const store = await storeWith(SHOP);
    expect((await store.getEntity('Component:Shop/CART'))?.ref).toBe('component:shop/cart');
    expect((await store.getEntity('cluster:prod'))?.ref).toBe('cluster:default/prod');
    expect(await store.getEntity('component:cart')).toBeUndefined();
  });

  it('returns copies: changing a result changes nothing in the store', async () => {
    const store = await storeWith(SHOP);
    const node = (await store.getEntity('component:shop/cart'))!;
    node.labels.tier = 'changed';
    node.title = 'changed';
    const again = await store.getEntity('component:shop/cart');
    expect(again?.labels).toEqual({ tier: 'backend' });
    expect(again?.title).toBe('Cart service');
  });

  const ALL = [
    'api:shop/cart-api',
    'cluster:default/prod',
    'component:shop/cart',
    'component:shop/checkout',
    'component:shop/frontend',
    'domain:default/commerce',
    'group:default/eng',
    'group:shop/shop-team',
    'resource:shop/redis',
    'system:shop/boutique',
    'user:default/alice',
  ];

  it('lists all entities sorted by ref', async () => {
    const store = await storeWith(SHOP);
    const { nodes, total } = await store.listEntities({});
    expect(nodes.map((n) => n.ref)).toEqual(ALL);
    expect(total).toBe(ALL.length);
    expect(nodes[2]).toEqual(await store.getEntity('component:shop/cart'));
  });

  it.each([
    [{ kind: 'component' }, ['component:shop/cart', 'component:shop/checkout', 'component:shop/frontend'], 3],
    [{ kind: 'Component' }, ['component:shop/cart', 'component:shop/checkout', 'component:shop/frontend'], 3],
    [{ kind: 'component', offset: 1, limit: 1 }, ['component:shop/checkout'], 3],
    [{ kind: 'component', offset: 2, limit: 10 }, ['component:shop/frontend'], 3],
    [{ kind: 'component', offset: 5 }, [], 3],
    [{ kind: 'component', limit: 0 }, [], 3],
    [{ offset: 9 }, ['system:shop/boutique', 'user:default/alice'], 11],
    [{ offset: 0, limit: 2 }, ['api:shop/cart-api', 'cluster:default/prod'], 11],
    [{ kind: 'nothing' }, [], 0],
    [{ kind: 'component', after: 'component:shop/cart' }, ['component:shop/checkout', 'component:shop/frontend'], 3],
    [{ kind: 'component', after: 'component:shop/cart', offset: 1 }, ['component:shop/frontend'], 3],
    [{ kind: 'component', after: 'api:zzz/before-every-component', limit: 1 }, ['component:shop/cart'], 3],
    [{ after: 'system:shop/boutique' }, ['user:default/alice'], 11],
    [{ after: 'system:shop/a-ref-that-is-not-there' }, ['system:shop/boutique', 'user:default/alice'], 11],
    [{ after: 'zzz' }, [], 11],
  ])('lists %o', async (options, refs, total) => {
    const store = await storeWith(SHOP);
    const page = await store.listEntities(options);
    expect({ refs: page.nodes.map((n) => n.ref), total: page.total }).toEqual({ refs, total });
  });
}

function loading(storeWith: StoreWith): void {
  const NEXT: SnapshotFixture = {
    commit: 'bbbb000000000000000000000000000000000002',
    entities: ['component:shop/cart', 'component:x/new'],
    relations: ['component:x/new dependsOn component:shop/cart'],
  };

  it('reports the commit of the last snapshot', async () => {
    const store = await storeWith(SHOP);
    expect(await store.commit()).toBe(SHOP_COMMIT);
    await store.load(buildSnapshot(NEXT));
    expect(await store.commit()).toBe(NEXT.commit);
  });

  it('replaces entities, attributes, relations, impact and cycles of the previous snapshot', async () => {
    const store = await storeWith({ ...SHOP, relations: [...SHOP.relations!, 'resource:shop/redis dependsOn component:shop/cart'] });
    expect(await store.dependencyCycles()).toEqual([['component:shop/cart', 'resource:shop/redis']]);
    await store.load(buildSnapshot(NEXT));
    expect(await store.getEntity('resource:shop/redis')).toBeUndefined();
    expect(await store.getEntity('component:shop/cart')).toEqual({
      ref: 'component:shop/cart', kind: 'component', namespace: 'shop', name: 'cart', labels: {}, file: 'catalog/component/shop/cart.yaml', commit: NEXT.commit,
    });
    expect(await store.listEntities({})).toMatchObject({ total: 2 });
    expect(await store.neighbours('component:shop/cart')).toEqual([{ ref: 'component:x/new', relation: 'dependsOn', direction: 'in' }]);
    expect(await store.impact(['component:shop/cart'])).toEqual({
      roots: ['component:shop/cart'],
      entities: [{ ref: 'component:x/new', kind: 'component', distance: 1, via: ['component:shop/cart'] }],
    });
    expect(await store.impact(['resource:shop/redis'])).toEqual({ roots: [], entities: [] });
    expect(await store.shortestPath('component:shop/cart', 'cluster:prod')).toBeNull();
    expect(await store.dependencyCycles()).toEqual([]);
  });

  it('gives the same answers after loading the same snapshot twice', async () => {
    const snapshot = buildSnapshot(SHOP);
    const store = await storeWith(snapshot);
    const before = [await store.listEntities({}), await store.neighbours('component:shop/cart'), await store.impact(['cluster:prod'])];
    await store.load(snapshot);
    expect([await store.listEntities({}), await store.neighbours('component:shop/cart'), await store.impact(['cluster:prod'])]).toEqual(before);
  });

  it('can be loaded with an empty snapshot', async () => {
    const store = await storeWith(SHOP);
    await store.load(buildSnapshot({ commit: 'empty', entities: [] }));
    expect(await store.commit()).toBe('empty');
    expect(await store.listEntities({})).toEqual({ nodes: [], total: 0 });
  });
}

function neighbours(storeWith: StoreWith): void {
  const CART = [
    { ref: 'component:shop/checkout', relation: 'dependsOn', direction: 'in' },
    { ref: 'resource:shop/redis', relation: 'dependsOn', direction: 'out' },
    { ref: 'group:shop/shop-team', relation: 'ownedBy', direction: 'out' },
    { ref: 'system:shop/boutique', relation: 'partOf', direction: 'out' },
    { ref: 'api:shop/cart-api', relation: 'providesApi', direction: 'out' },
    { ref: 'cluster:default/prod', relation: 'runsOn', direction: 'out' },
  ];

  it('lists both directions by default, sorted by relation, direction, ref', async () => {
    const store = await storeWith(SHOP);
    expect(await store.neighbours('component:shop/cart')).toEqual(CART);
    expect(await store.neighbours('component:shop/cart', { direction: 'both' })).toEqual(CART);
    expect(await store.neighbours('cluster:prod')).toEqual([
      { ref: 'component:shop/cart', relation: 'runsOn', direction: 'in' },
      { ref: 'resource:shop/redis', relation: 'runsOn', direction: 'in' },
    ]);
  });

  it('filters by direction and relation', async () => {
    const store = await storeWith(SHOP);
    expect(await store.neighbours('component:shop/cart', { direction: 'in' })).toEqual(CART.slice(0, 1));
    expect(await store.neighbours('component:shop/cart', { direction: 'out' })).toEqual(CART.slice(1));
    expect(await store.neighbours('component:shop/cart', { relations: ['runsOn', 'dependsOn'] })).toEqual([CART[0], CART[1], CART[5]]);
    expect(await store.neighbours('component:shop/cart', { direction: 'out', relations: ['dependsOn'] })).toEqual([CART[1]]);
    expect(await store.neighbours('component:shop/cart', { relations: [] })).toEqual([]);
    expect(await store.neighbours('group:shop/shop-team', { direction: 'in' })).toEqual([
      { ref: 'user:default/alice', relation: 'memberOf', direction: 'in' },
      { ref: 'component:shop/cart', relation: 'ownedBy', direction: 'in' },
      { ref: 'component:shop/checkout', relation: 'ownedBy', direction: 'in' },
    ]);
  });

  it('is empty for an unknown entity and normalizes the ref', async () => {
    const store = await storeWith(SHOP);
    expect(await store.neighbours('component:shop/nothing')).toEqual([]);
    expect(await store.neighbours('COMPONENT:SHOP/CART')).toEqual(CART);
  });

  it('keeps a repeated relation once, skips dangling ones, lists a self-relation both ways', async () => {
    const store = await storeWith(ODDITIES);
    expect(await store.neighbours('component:odd/a')).toEqual([
      { ref: 'component:odd/a', relation: 'dependsOn', direction: 'in' },
      { ref: 'component:odd/a', relation: 'dependsOn', direction: 'out' },
      { ref: 'component:odd/b', relation: 'dependsOn', direction: 'out' },
      { ref: 'component:odd/b', relation: 'partOf', direction: 'out' },
    ]);
    expect(await store.listEntities({})).toMatchObject({ total: 2 });
  });
}

/** Repeats, dangling ends, a self-dependency. */
const ODDITIES: SnapshotFixture = {
  entities: ['component:odd/a', 'component:odd/b'],
  relations: [
    'component:odd/a dependsOn component:odd/b',
    'component:odd/a dependsOn component:odd/b',
    'component:odd/a dependsOn component:odd/ghost',
    'component:odd/ghost dependsOn component:odd/a',
    'component:odd/a dependsOn component:odd/a',
    'component:odd/a partOf component:odd/b',
  ],
};

/** Ties: r reaches z by [r, m, y] and [r, n, x] (m < n but x < y), and w by [r, a] and [r, b]. */
const DIAMONDS: SnapshotFixture = {
  entities: ['r', 'a', 'b', 'w', 'm', 'n', 'x', 'y', 'z'].map((n) => `component:d/${n}`),
  relations: [
    'component:d/r partOf component:d/a', // r -> a
    'component:d/b dependsOn component:d/r', // r -> b
    'component:d/w runsOn component:d/a', // a -> w
    'component:d/b providesApi component:d/w', // b -> w
    'component:d/m dependsOn component:d/r',
    'component:d/n dependsOn component:d/r',
    'component:d/y dependsOn component:d/m',
    'component:d/x dependsOn component:d/n',
    'component:d/z dependsOn component:d/x',
    'component:d/z dependsOn component:d/y',
  ],
};

/** Two roots; r1 reaches r2; p is nearer r2; q, s0/s1 and t tie between roots. */
const TWO_ROOTS: SnapshotFixture = {
  entities: ['r1', 'r2', 'p', 'q', 's0', 's1', 't'].map((n) => `component:mr/${n}`),
  relations: [
    'component:mr/r2 dependsOn component:mr/r1',
    'component:mr/p dependsOn component:mr/r2',
    'component:mr/q dependsOn component:mr/r1',
    'component:mr/q dependsOn component:mr/r2',
    'component:mr/s1 dependsOn component:mr/r1',
    'component:mr/s0 dependsOn component:mr/r2',
    'component:mr/t dependsOn component:mr/s1',
    'component:mr/t dependsOn component:mr/s0',
  ],
};

const CHAIN: SnapshotFixture = {
  entities: ['a', 'b', 'c', 'd'].map((n) => `component:ch/${n}`),
  relations: ['component:ch/b dependsOn component:ch/a', 'component:ch/c dependsOn component:ch/b', 'component:ch/d dependsOn component:ch/c'],
};

/** dependsOn cycles, plus cycles over other relations that do not count. */
const CYCLES: SnapshotFixture = {
  entities: [...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'p', 'q', 'x', 'y', 'zz'].map((n) => `component:cy/${n}`), 'resource:z/k'],
  relations: [
    'component:cy/a dependsOn component:cy/b',
    'component:cy/b dependsOn component:cy/c',
    'component:cy/c dependsOn component:cy/a',
    'component:cy/d dependsOn component:cy/d',
    'component:cy/f dependsOn component:cy/e',
    'component:cy/e dependsOn component:cy/f',
    'component:cy/g dependsOn component:cy/a',
    'component:cy/x partOf component:cy/y',
    'component:cy/y partOf component:cy/x',
    'component:cy/p dependsOn component:cy/q',
    'component:cy/q runsOn component:cy/p',
    'resource:z/k dependsOn component:cy/zz',
    'component:cy/zz dependsOn resource:z/k',
    'component:cy/g dependsOn component:cy/ghost',
  ],
};

const hit = (ref: string, distance: number, via: string[]) => ({ ref, kind: ref.slice(0, ref.indexOf(':')), distance, via });

function impact(storeWith: StoreWith): void {
  const FLOWS: Record<RelationType, ImpactFlow> = {
    ownedBy: 'none',
    partOf: 'source-to-target',
    dependsOn: 'target-to-source',
    providesApi: 'source-to-target',
    consumesApi: 'target-to-source',
    runsOn: 'target-to-source',
    memberOf: 'none',
    childOf: 'none',
  };

  it('covers every relation type', () => {
    expect(Object.keys(FLOWS).sort()).toEqual([...RELATION_TYPES].sort());
  });

  it.each(Object.entries(FLOWS))('follows %s %s', async (relation, flow) => {
    const store = await storeWith({ entities: ['component:s', 'component:t'], relations: [`component:s ${relation} component:t`] });
    const s = await store.impact(['component:default/s']);
    const t = await store.impact(['component:default/t']);
    expect(s.entities).toEqual(flow === 'source-to-target' ? [hit('component:default/t', 1, ['component:default/s'])] : []);
    expect(t.entities).toEqual(flow === 'target-to-source' ? [hit('component:default/s', 1, ['component:default/t'])] : []);
  });

  it('travels dependency -> dependent, part -> whole, provider -> API -> consumer, host -> workload', async () => {
    const store = await storeWith(SHOP);
    expect(await store.impact(['resource:shop/redis'])).toEqual({
      roots: ['resource:shop/redis'],
      entities: [
        hit('component:shop/cart', 1, ['resource:shop/redis']),
        hit('api:shop/cart-api', 2, ['resource:shop/redis', 'component:shop/cart']),
        hit('component:shop/checkout', 2, ['resource:shop/redis', 'component:shop/cart']),
        hit('system:shop/boutique', 2, ['resource:shop/redis', 'component:shop/cart']),
        hit('component:shop/frontend', 3, ['resource:shop/redis', 'component:shop/cart', 'api:shop/cart-api']),
        hit('domain:default/commerce', 3, ['resource:shop/redis', 'component:shop/cart', 'system:shop/boutique']),
      ],
    });
    expect((await store.impact(['cluster:prod'])).entities).toEqual([
      hit('component:shop/cart', 1, ['cluster:default/prod']),
      hit('resource:shop/redis', 1, ['cluster:default/prod']),
      hit('api:shop/cart-api', 2, ['cluster:default/prod', 'component:shop/cart']),
      hit('component:shop/checkout', 2, ['cluster:default/prod', 'component:shop/cart']),
      hit('system:shop/boutique', 2, ['cluster:default/prod', 'component:shop/cart']),
      hit('component:shop/frontend', 3, ['cluster:default/prod', 'component:shop/cart', 'api:shop/cart-api']),
      hit('domain:default/commerce', 3, ['cluster:default/prod', 'component:shop/cart', 'system:shop/boutique']),
    ]);
  });

  it('does not travel along ownership, membership or hierarchy, nor against the flow', async () => {
    const store = await storeWith(SHOP);
    for (const root of ['group:shop/shop-team', 'group:eng', 'user:alice', 'domain:commerce', 'component:shop/frontend']) {
      expect((await store.impact([root])).entities, root).toEqual([]);
    }
    expect((await store.impact(['system:shop/boutique'])).entities).toEqual([hit('domain:default/commerce', 1, ['system:shop/boutique'])]);
  });

  it('breaks ties by the whole path, not by the last hop', async () => {
    const store = await storeWith(DIAMONDS);
    const d = (n: string) => `component:d/${n}`;
    expect((await store.impact([d('r')])).entities).toEqual([
      hit(d('a'), 1, [d('r')]),
      hit(d('b'), 1, [d('r')]),
      hit(d('m'), 1, [d('r')]),
      hit(d('n'), 1, [d('r')]),
      hit(d('w'), 2, [d('r'), d('a')]),
      hit(d('x'), 2, [d('r'), d('n')]),
      hit(d('y'), 2, [d('r'), d('m')]),
      hit(d('z'), 3, [d('r'), d('m'), d('y')]),
    ]);
  });

  it('measures from the nearest root, lists no root, prefers the smallest root on ties', async () => {
    const store = await storeWith(TWO_ROOTS);
    const mr = (n: string) => `component:mr/${n}`;
    expect(await store.impact([mr('r2'), mr('r1')])).toEqual({
      roots: [mr('r1'), mr('r2')],
      entities: [hit(mr('p'), 1, [mr('r2')]), hit(mr('q'), 1, [mr('r1')]), hit(mr('s0'), 1, [mr('r2')]), hit(mr('s1'), 1, [mr('r1')]), hit(mr('t'), 2, [mr('r1'), mr('s1')])],
    });
    expect((await store.impact([mr('r1')])).entities).toEqual([
      hit(mr('q'), 1, [mr('r1')]),
      hit(mr('r2'), 1, [mr('r1')]),
      hit(mr('s1'), 1, [mr('r1')]),
      hit(mr('p'), 2, [mr('r1'), mr('r2')]),
      hit(mr('s0'), 2, [mr('r1'), mr('r2')]),
      hit(mr('t'), 2, [mr('r1'), mr('s1')]),
    ]);
    expect((await store.impact([mr('r2')])).entities).toEqual([
      hit(mr('p'), 1, [mr('r2')]),
      hit(mr('q'), 1, [mr('r2')]),
      hit(mr('s0'), 1, [mr('r2')]),
      hit(mr('t'), 2, [mr('r2'), mr('s0')]),
    ]);
  });

  it('normalizes roots, drops unknown and repeated ones', async () => {
    const store = await storeWith(TWO_ROOTS);
    const result = await store.impact(['Component:MR/R2', 'component:mr/nothing', 'component:mr/r2', 'no kind', 'component:mr/p']);
    expect(result.roots).toEqual(['component:mr/p', 'component:mr/r2']);
    expect(result.entities.map((e) => e.ref)).toEqual(['component:mr/q', 'component:mr/s0', 'component:mr/t']);
    expect(await store.impact(['component:mr/nothing'])).toEqual({ roots: [], entities: [] });
    expect(await store.impact([])).toEqual({ roots: [], entities: [] });
  });

  it.each([
    [0, []],
    [1, ['b']],
    [2, ['b', 'c']],
    [3, ['b', 'c', 'd']],
    [10, ['b', 'c', 'd']],
    [undefined, ['b', 'c', 'd']],
  ])('stops at depth %s', async (depth, names) => {
    const store = await storeWith(CHAIN);
    const result = await store.impact(['component:ch/a'], { depth });
    expect(result.roots).toEqual(['component:ch/a']);
    expect(result.entities.map((e) => [e.ref, e.distance])).toEqual(names.map((n, i) => [`component:ch/${n}`, i + 1]));
  });

  it('terminates on cycles and never lists a root reached again', async () => {
    const store = await storeWith(CYCLES);
    const cy = (n: string) => `component:cy/${n}`;
    expect((await store.impact([cy('a')])).entities).toEqual([hit(cy('c'), 1, [cy('a')]), hit(cy('g'), 1, [cy('a')]), hit(cy('b'), 2, [cy('a'), cy('c')])]);
    expect((await store.impact([cy('d')])).entities).toEqual([]);
    const odd = await storeWith(ODDITIES);
    expect((await odd.impact(['component:odd/b'])).entities).toEqual([hit('component:odd/a', 1, ['component:odd/b'])]);
    expect((await odd.impact(['component:odd/a'])).entities).toEqual([hit('component:odd/b', 1, ['component:odd/a'])]);
  });
}

function shortestPath(storeWith: StoreWith): void {
  const [cart, checkout, frontend, redis, api, boutique, team, prod] = [
    'component:shop/cart', 'component:shop/checkout', 'component:shop/frontend', 'resource:shop/redis',
    'api:shop/cart-api', 'system:shop/boutique', 'group:shop/shop-team', 'cluster:default/prod',
  ];

  it('follows edges source -> target with direction out', async () => {
    const store = await storeWith(SHOP);
    expect(await store.shortestPath(cart, redis, { direction: 'out' })).toEqual([cart, redis]);
    expect(await store.shortestPath(checkout, redis, { direction: 'out' })).toEqual([checkout, cart, redis]);
    expect(await store.shortestPath(redis, checkout, { direction: 'out' })).toBeNull();
  });

  it('ignores direction by default', async () => {
    const store = await storeWith(SHOP);
    expect(await store.shortestPath(redis, checkout)).toEqual([redis, cart, checkout]);
    expect(await store.shortestPath(frontend, redis, { direction: 'both' })).toEqual([frontend, api, cart, redis]);
    expect(await store.shortestPath('user:alice', prod)).toEqual(['user:default/alice', team, cart, prod]);
  });

  it('follows only the relations asked for', async () => {
    const store = await storeWith(SHOP);
    expect(await store.shortestPath(frontend, redis, { relations: ['dependsOn'] })).toBeNull();
    expect(await store.shortestPath(frontend, redis, { relations: ['consumesApi', 'providesApi', 'dependsOn'] })).toEqual([frontend, api, cart, redis]);
    expect(await store.shortestPath(checkout, cart)).toEqual([checkout, cart]);
    expect(await store.shortestPath(checkout, cart, { relations: ['partOf'] })).toEqual([checkout, boutique, cart]);
    expect(await store.shortestPath(checkout, cart, { relations: ['ownedBy'] })).toEqual([checkout, team, cart]);
    expect(await store.shortestPath(checkout, cart, { relations: ['ownedBy'], direction: 'out' })).toBeNull();
    expect(await store.shortestPath(checkout, cart, { relations: [] })).toBeNull();
  });

  it('takes the lexicographically smallest of equally short paths', async () => {
    const store = await storeWith(DIAMONDS);
    const d = (n: string) => `component:d/${n}`;
    expect(await store.shortestPath(d('r'), d('z'))).toEqual([d('r'), d('m'), d('y'), d('z')]);
    expect(await store.shortestPath(d('z'), d('r'), { direction: 'out' })).toEqual([d('z'), d('x'), d('n'), d('r')]);
    expect(await store.shortestPath(d('r'), d('w'))).toEqual([d('r'), d('a'), d('w')]);
    expect(await store.shortestPath(d('w'), d('r'))).toEqual([d('w'), d('a'), d('r')]);
  });

  it('gives [from] from an entity to itself, null for unknown ends, and normalizes refs', async () => {
    const store = await storeWith(SHOP);
    expect(await store.shortestPath(cart, cart)).toEqual([cart]);
    expect(await store.shortestPath(cart, cart, { relations: [] })).toEqual([cart]);
    expect(await store.shortestPath(cart, 'component:shop/nothing')).toBeNull();
    expect(await store.shortestPath('component:shop/nothing', cart)).toBeNull();
    expect(await store.shortestPath('Component:Shop/Cart', 'RESOURCE:shop/redis')).toEqual([cart, redis]);
  });
}

function dependencyCycles(storeWith: StoreWith): void {
  it('lists dependsOn components with a cycle, members sorted, by first member', async () => {
    const store = await storeWith(CYCLES);
    expect(await store.dependencyCycles()).toEqual([
      ['component:cy/a', 'component:cy/b', 'component:cy/c'],
      ['component:cy/d'],
      ['component:cy/e', 'component:cy/f'],
      ['component:cy/zz', 'resource:z/k'],
    ]);
  });

  it('is empty without cycles and counts a self-dependency', async () => {
    expect(await (await storeWith(SHOP)).dependencyCycles()).toEqual([]);
    expect(await (await storeWith(ODDITIES)).dependencyCycles()).toEqual([['component:odd/a']]);
  });
}

function randomGraphs(storeWith: StoreWith): void {
  // The last one is dense: ~60 relations leave each entity, many of them repeated.
  it.each([
    [1, 120, 300],
    [2, 120, 300],
    [3, 120, 300],
    [4, 10, 600],
  ])('agrees with the reference on seed %i (%i entities, %i relations)', async (seed, entities, relations) => {
    const snapshot = buildSnapshot(randomFixture(seed, entities, relations));
    const store = await storeWith(snapshot);
    const refs = [...snapshot.entities.keys()];
    const next = prng(seed * 7919);
    const pick = () => refs[Math.floor(next() * refs.length)];
    const relationSets: (RelationType[] | undefined)[] = [undefined, ['dependsOn'], ['dependsOn', 'partOf', 'runsOn'], ['ownedBy', 'memberOf', 'childOf']];
    for (let i = 0; i < 12; i++) {
      const roots = [pick(), ...(i % 3 === 0 ? [pick(), 'component:ns0/unknown'] : []), ...(i % 4 === 0 ? [pick()] : [])];
      const depth = i % 2 === 0 ? undefined : 1 + (i % 4);
      const expected: ImpactResult = referenceImpact(snapshot, roots, depth);
      expect(await store.impact(roots, { depth }), `impact ${roots} depth ${depth}`).toEqual(expected);
    }
    for (let i = 0; i < 24; i++) {
      const [from, to] = [pick(), pick()];
      const options = { direction: i % 2 === 0 ? ('both' as const) : ('out' as const), relations: relationSets[i % relationSets.length] };
      expect(await store.shortestPath(from, to, options), `path ${from} ${to} ${JSON.stringify(options)}`).toEqual(
        referenceShortestPath(snapshot, from, to, options),
      );
    }
    for (let i = 0; i < 12; i++) {
      const node = pick();
      const relations = relationSets[i % relationSets.length];
      expect(await store.neighbours(node, { relations }), `neighbours ${node}`).toEqual(referenceNeighbours(snapshot, node, relations));
    }
    expect(await store.dependencyCycles()).toEqual(referenceCycles(snapshot));
  });
}



/** A value with every `commit` field left out. */
const withoutCommits = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (key, v) => (key === 'commit' ? undefined : v)));

/** Every answer of a store about the refs, for comparing two stores. */
async function answers(store: GraphStore, refs: readonly string[]): Promise<unknown> {
  const out: unknown[] = [await store.commit(), await store.listEntities({}), await store.dependencyCycles()];
  for (const r of refs) {
    out.push(await store.getEntity(r), await store.neighbours(r), await store.impact([r]));
    for (const to of refs.slice(0, 8)) out.push(await store.shortestPath(r, to), await store.shortestPath(r, to, { direction: 'out' }));
  }
  return out;
}

/** SHOP changed: cart retitled, redis removed, a new service, relations added and removed. */
const SHOP_HEAD: SnapshotFixture = {
  commit: 'cccc000000000000000000000000000000000003',
  entities: [
    ...SHOP.entities.filter((e) => (typeof e === 'string' ? e : e.ref) !== 'resource:shop/redis').map((e) =>
      typeof e !== 'string' && e.ref === 'component:shop/cart' ? { ...e, title: 'Basket service' } : e,
    ),
    { ref: 'component:shop/payment', owner: 'shop/shop-team' },
  ],
  relations: [
    ...SHOP.relations!.filter((r) => !r.includes('redis') && r !== 'component:shop/frontend consumesApi api:shop/cart-api'),
    'component:shop/checkout dependsOn component:shop/payment',
    'component:shop/payment runsOn cluster:prod',
    'component:shop/payment dependsOn component:shop/checkout',
  ],
};

function applyDiff(storeWith: StoreWith): void {
  const refs = ['component:shop/cart', 'component:shop/checkout', 'component:shop/payment', 'component:shop/frontend', 'resource:shop/redis', 'cluster:prod', 'api:shop/cart-api', 'system:shop/boutique', 'group:shop/shop-team'];

  it('answers like load(head), keeping the commit of unchanged nodes', async () => {
    const [base, head] = [buildSnapshot(SHOP), buildSnapshot(SHOP_HEAD)];
    const expected = withoutCommits(await answers(await storeWith(head), refs));
    const store = await storeWith(base);
    await store.applyDiff(base, head);
    expect(withoutCommits(await answers(store, refs))).toEqual(expected);
    expect(await store.commit()).toBe(head.commit);
    const commits = Object.fromEntries((await store.listEntities({})).nodes.map((n) => [n.ref, n.commit]));
    expect(commits).toEqual({
      'api:shop/cart-api': base.commit,
      'cluster:default/prod': base.commit,
      'component:shop/cart': head.commit,
      'component:shop/checkout': base.commit,
      'component:shop/frontend': base.commit,
      'component:shop/payment': head.commit,
      'domain:default/commerce': base.commit,
      'group:default/eng': base.commit,
      'group:shop/shop-team': base.commit,
      'system:shop/boutique': base.commit,
      'user:default/alice': base.commit,
    });
  });

  it('chains: a node keeps the commit where it last changed', async () => {
    const [a, b] = [buildSnapshot(SHOP), buildSnapshot(SHOP_HEAD)];
    const c = buildSnapshot({ ...SHOP_HEAD, commit: 'dddd000000000000000000000000000000000004', entities: [...SHOP_HEAD.entities, 'component:shop/extra'] });
    const store = await storeWith(a);
    await store.applyDiff(a, b);
    await store.applyDiff(b, c);
    expect((await store.getEntity('component:shop/cart'))?.commit).toBe(b.commit);
    expect((await store.getEntity('component:shop/extra'))?.commit).toBe(c.commit);
    expect((await store.getEntity('domain:commerce'))?.commit).toBe(a.commit);
    expect(await store.commit()).toBe(c.commit);
  });

  it('refuses a diff whose base is not the store\'s commit, and changes nothing', async () => {
    const [base, head] = [buildSnapshot(SHOP), buildSnapshot(SHOP_HEAD)];
    const empty = await storeWith();
    await expect(empty.applyDiff(base, head)).rejects.toMatchObject({ code: 'graph-store' });
    expect(await empty.commit()).toBeUndefined();
    const store = await storeWith(head);
    await expect(store.applyDiff(base, head)).rejects.toMatchObject({ code: 'graph-store' });
    expect(await store.commit()).toBe(head.commit);
    expect(await store.getEntity('resource:shop/redis')).toBeUndefined();
  });

  it.each([4, 5])('answers like load(head) on random graphs (seed %i)', async (seed) => {
    const base = buildSnapshot(randomFixture(seed, 80, 200));
    const fixture = randomFixture(seed, 80, 200);
    const next = prng(seed);
    const all = fixture.entities as string[];
    const pick = () => all[Math.floor(next() * all.length)];
    const added = Array.from({ length: 40 }, () => `${pick()} ${RELATION_TYPES[Math.floor(next() * RELATION_TYPES.length)]} ${pick()}`);
    const head = buildSnapshot({
      commit: `head-${seed}`,
      entities: all.filter(() => next() > 0.1),
      relations: [...fixture.relations!.filter(() => next() > 0.2), ...added],
    });
    const sample = all.filter((_, i) => i % 6 === 0);
    const expected = withoutCommits(await answers(await storeWith(head), sample));
    const store = await storeWith(base);
    await store.applyDiff(base, head);
    expect(withoutCommits(await answers(store, sample))).toEqual(expected);
  });
}
