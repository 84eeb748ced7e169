import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP } from '../graph/fixtures.ts';
import { API_FIXTURE, startTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

describe('Query.entity', () => {
  it('returns every field of an entity, ref matched case-insensitively', async () => {
    const res = await api.gql(`{
      entity(ref: "Component:Shop/Cart") {
        ref kind namespace name title criticality lifecycle ownerRef owner { ref kind }
        labels { key value } tier: label(key: "tier") none: label(key: "constructor") file commit
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.entity).toEqual({
      ref: 'component:shop/cart',
      kind: 'component',
      namespace: 'shop',
      name: 'cart',
      title: 'Cart service',
      criticality: 'HIGH',
      lifecycle: 'production',
      ownerRef: 'group:shop/shop-team',
      owner: { ref: 'group:shop/shop-team', kind: 'group' },
      labels: [{ key: 'tier', value: 'backend' }],
      tier: 'backend',
      none: null,
      file: 'services/cart.yaml',
      commit: SHOP.commit,
    });
  });

  it('defaults a missing namespace to default', async () => {
    const res = await api.gql(`{ entity(ref: "USER:alice") { ref namespace title criticality owner { ref } labels { key } } }`);
    expect(res.data?.entity).toEqual({ ref: 'user:default/alice', namespace: 'default', title: null, criticality: null, owner: null, labels: [] });
  });

  it('returns null for an unknown entity', async () => {
    const res = await api.gql(`{ entity(ref: "component:shop/nope") { ref } }`);
    expect(res).toEqual({ status: 200, data: { entity: null } });
  });

  it.each([
    ['component:shop/', 'the name is empty'],
    [':x', 'the kind before ":" is empty'],
    ['', 'non-empty'],
  ])('rejects the malformed ref %j with a clear error', async (ref, reason) => {
    const res = await api.gql(`query ($ref: String!) { entity(ref: $ref) { ref } }`, { ref });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ entity: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0].message).toContain('Invalid entity reference in argument "ref"');
    expect(res.errors?.[0].message).toContain(reason);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].path).toEqual(['entity']);
  });
});

describe('ref arguments as the CLI takes them', () => {
  let dup: TestApi;
  beforeAll(async () => {
    // `cart` is now both a component and a resource of namespace shop.
    dup = await startTestApi({ ...API_FIXTURE, entities: [...API_FIXTURE.entities, 'resource:shop/cart'] });
  });
  afterAll(() => dup.close());

  it.each([
    ['cart', 'component:shop/cart'],
    ['SHOP/Redis', 'resource:shop/redis'],
    ['component:cart', 'component:shop/cart'],
    ['alice', 'user:default/alice'],
    ['user:alice', 'user:default/alice'],
  ])('accepts %j, which only one entity matches', async (ref, expected) => {
    const res = await api.gql(`query ($ref: String!) { entity(ref: $ref) { ref } }`, { ref });
    expect(res).toEqual({ status: 200, data: { entity: { ref: expected } } });
  });

  it('answers null for a name no entity has, in path and impact too', async () => {
    expect((await api.gql(`{ entity(ref: "nobody") { ref } }`)).data).toEqual({ entity: null });
    expect((await api.gql(`{ path(from: "nobody", to: "cart") { ref } }`)).data).toEqual({ path: null });
    const impact = await api.gql(`{ impact(refs: ["redis", "nobody"], depth: 1) { roots missing } }`);
    expect(impact.data).toEqual({ impact: { roots: ['resource:shop/redis'], missing: ['nobody'] } });
    const path = await api.gql(`{ path(from: "redis", to: "checkout", directed: false) { ref } }`);
    expect(path.data?.path.map((e: { ref: string }) => e.ref)).toEqual(['resource:shop/redis', 'component:shop/cart', 'component:shop/checkout']);
  });

  it('rejects a name several entities have, naming them: the hint is one of them, never a guessed kind', async () => {
    const res = await dup.gql(`{ entity(ref: "cart") { ref } }`);
    expect(res.data).toEqual({ entity: null });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toBe(
      'Ambiguous entity reference in argument "ref": "cart" matches 2 entities (component:shop/cart, resource:shop/cart); write the one you mean in full, as in component:shop/cart.',
    );
    const impact = await dup.gql(`{ impact(refs: ["redis", "shop/cart"]) { roots } }`);
    expect(impact.errors?.[0].message).toMatch(/^Ambiguous entity reference in argument "refs": "shop\/cart" matches 2 entities/);
    expect((await dup.gql(`{ entity(ref: "resource:cart") { ref } }`)).data).toEqual({ entity: { ref: 'resource:shop/cart' } });
  });
});

describe('Entity relations', () => {
  it('lists neighbours sorted by relation, direction and ref, with inverse names', async () => {
    const res = await api.gql(`{ entity(ref: "component:shop/cart") { neighbours { relation direction name ref entity { ref } } } }`);
    const rows = res.data?.entity.neighbours.map((n: any) => [n.relation, n.direction, n.name, n.ref, n.entity.ref === n.ref]);
    expect(rows).toEqual([
      ['DEPENDS_ON', 'IN', 'dependencyOf', 'component:shop/checkout', true],
      ['DEPENDS_ON', 'OUT', 'dependsOn', 'resource:shop/redis', true],
      ['OWNED_BY', 'OUT', 'ownedBy', 'group:shop/shop-team', true],
      ['PART_OF', 'OUT', 'partOf', 'system:shop/boutique', true],
      ['PROVIDES_API', 'OUT', 'providesApi', 'api:shop/cart-api', true],
      ['RUNS_ON', 'OUT', 'runsOn', 'cluster:default/prod', true],
    ]);
  });

  it('filters neighbours by direction and relation', async () => {
    const res = await api.gql(`{ entity(ref: "cluster:prod") {
      hosts: neighbours(direction: IN, relation: RUNS_ON) { ref }
      out: neighbours(direction: OUT) { ref }
    } }`);
    expect(res.data?.entity).toEqual({ hosts: [{ ref: 'component:shop/cart' }, { ref: 'resource:shop/redis' }], out: [] });
  });

  it('resolves dependsOn and dependents', async () => {
    const res = await api.gql(`{ entity(ref: "component:shop/cart") { dependsOn { ref } dependents { ref dependsOn { ref } } } }`);
    expect(res.data?.entity).toEqual({
      dependsOn: [{ ref: 'resource:shop/redis' }],
      dependents: [{ ref: 'component:shop/checkout', dependsOn: [{ ref: 'component:shop/cart' }] }],
    });
  });

  it('computes the impact of an entity', async () => {
    const res = await api.gql(`{ entity(ref: "resource:shop/redis") { impact(depth: 2) { roots count entities { ref distance } } } }`);
    expect(res.data?.entity.impact).toEqual({
      roots: ['resource:shop/redis'],
      count: 4,
      entities: [
        { ref: 'component:shop/cart', distance: 1 },
        { ref: 'api:shop/cart-api', distance: 2 },
        { ref: 'component:shop/checkout', distance: 2 },
        { ref: 'system:shop/boutique', distance: 2 },
      ],
    });
  });
});

describe('Query.impact', () => {
  const query = `query ($refs: [String!]!, $depth: Int) {
    impact(refs: $refs, depth: $depth) { roots missing count entities { ref kind distance via entity { ref title } } }
  }`;

  it('lists impacted entities by distance then ref, with one shortest path each', async () => {
    const res = await api.gql(query, { refs: ['Resource:Shop/Redis', 'component:nope'] });
    expect(res.errors).toBeUndefined();
    const { roots, missing, count, entities } = res.data?.impact;
    expect(roots).toEqual(['resource:shop/redis']);
    expect(missing).toEqual(['component:default/nope']);
    expect(count).toBe(entities.length);
    const redis = 'resource:shop/redis';
    const cart = 'component:shop/cart';
    expect(entities.map((e: any) => [e.ref, e.kind, e.distance, e.via])).toEqual([
      [cart, 'component', 1, [redis]],
      ['api:shop/cart-api', 'api', 2, [redis, cart]],
      ['component:shop/checkout', 'component', 2, [redis, cart]],
      ['system:shop/boutique', 'system', 2, [redis, cart]],
      ['component:shop/frontend', 'component', 3, [redis, cart, 'api:shop/cart-api']],
      ['domain:default/commerce', 'domain', 3, [redis, cart, 'system:shop/boutique']],
    ]);
    expect(entities[0].entity).toEqual({ ref: cart, title: 'Cart service' });
  });

  it('limits by depth and filters by kind', async () => {
    const res = await api.gql(`{ impact(refs: ["cluster:prod"], depth: 1) { entities(kind: "Resource") { ref } count } }`);
    expect(res.data?.impact).toEqual({ entities: [{ ref: 'resource:shop/redis' }], count: 2 });
  });

  it('rejects a negative depth and malformed refs', async () => {
    const negative = await api.gql(query, { refs: ['resource:shop/redis'], depth: -1 });
    expect(negative.errors?.[0].message).toBe('"depth" must be 0 or more, got -1.');
    const malformed = await api.gql(query, { refs: ['resource:shop/redis', 'redis/'] });
    expect(malformed.errors?.[0].message).toContain('Invalid entity reference in argument "refs"');
    expect(malformed.data).toBeNull();
  });
});

describe('Query.path', () => {
  it('returns one shortest path, both ends included', async () => {
    const res = await api.gql(`{ path(from: "user:alice", to: "domain:commerce") { ref } }`);
    expect(res.data?.path.map((e: any) => e.ref)).toEqual([
      'user:default/alice',
      'group:shop/shop-team',
      'component:shop/cart',
      'system:shop/boutique',
      'domain:default/commerce',
    ]);
  });

  it('follows only the given relations, optionally only forwards', async () => {
    const res = await api.gql(`{
      forward: path(from: "component:shop/checkout", to: "domain:commerce", directed: true, relations: [PART_OF]) { ref }
      backward: path(from: "domain:commerce", to: "component:shop/checkout", directed: true) { ref }
      viaDeps: path(from: "component:shop/checkout", to: "cluster:prod", relations: [DEPENDS_ON]) { ref }
    }`);
    expect(res.data).toEqual({
      forward: [{ ref: 'component:shop/checkout' }, { ref: 'system:shop/boutique' }, { ref: 'domain:default/commerce' }],
      backward: null,
      viaDeps: null,
    });
  });

  it('is null when there is no path or an end is unknown', async () => {
    const res = await api.gql(`{ a: path(from: "component:island", to: "user:alice") { ref } b: path(from: "component:ghost", to: "user:alice") { ref } }`);
    expect(res.data).toEqual({ a: null, b: null });
  });
});

describe('Query.dependencyCycles and Query.commit', () => {
  it('lists the dependsOn cycles and the synced commit', async () => {
    const res = await api.gql(`{ dependencyCycles commit }`);
    expect(res.data).toEqual({
      dependencyCycles: [['component:loop/a', 'component:loop/b', 'component:loop/c'], ['component:loop/self']],
      commit: SHOP.commit,
    });
  });
});

describe('an empty store', () => {
  it('answers with a null commit and nothing else', async () => {
    const empty = await startTestApi(null);
    try {
      const res = await empty.gql(`{ commit dependencyCycles entity(ref: "component:x") { ref } entities { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }`);
      expect(res.data).toEqual({
        commit: null,
        dependencyCycles: [],
        entity: null,
        entities: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
      });
    } finally {
      await empty.close();
    }
  });
});
