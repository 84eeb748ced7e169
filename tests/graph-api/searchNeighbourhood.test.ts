import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

describe('Query.search', () => {
  it('finds entities by ref, name and title, exact before prefix before substring', async () => {
    const res = await api.gql(`{ search(text: "cart") { ref title } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.search).toEqual([
      { ref: 'component:shop/cart', title: 'Cart service' }, // exact name
      { ref: 'api:shop/cart-api', title: null }, // prefix of a name
    ]);
  });

  it('filters by kinds and caps first', async () => {
    const res = await api.gql(`{ kinds: search(text: "shop", kinds: ["Component", "resource"]) { ref } two: search(text: "filler/", first: 2) { ref } }`);
    expect(res.data?.kinds.map((e: { ref: string }) => e.ref)).toEqual(['component:shop/cart', 'component:shop/checkout', 'component:shop/frontend', 'resource:shop/redis']);
    expect(res.data?.two).toEqual([{ ref: 'component:filler/f00' }, { ref: 'component:filler/f01' }]);
    const defaulted = await api.gql(`{ search(text: "filler/") { ref } }`); // 23 match
    expect(defaulted.data?.search).toHaveLength(20);
    const none = await api.gql(`{ search(text: "shop", kinds: []) { ref } }`);
    expect(none.data?.search).toEqual([]);
    const tooMany = await api.gql(`{ search(text: "a", first: 101) { ref } }`);
    expect(tooMany.errors?.[0]).toMatchObject({ message: '"first" must be between 0 and 100, got 101.', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('resolves the entities it finds like any other (owner, neighbours)', async () => {
    const res = await api.gql(`{ search(text: "cart service") { ref owner { ref } dependsOn { ref } } }`);
    expect(res.data?.search).toEqual([{ ref: 'component:shop/cart', owner: { ref: 'group:shop/shop-team' }, dependsOn: [{ ref: 'resource:shop/redis' }] }]);
  });

  it('is an error, not an empty answer, when the server serves no snapshot', async () => {
    const empty = await startTestApi(null);
    try {
      const res = await empty.gql(`{ search(text: "cart") { ref } }`);
      expect(res.errors?.[0]).toMatchObject({ message: 'search is not available: the server serves no snapshot yet.', extensions: { code: 'NOT_AVAILABLE' } });
    } finally {
      await empty.close();
    }
  });
});

describe('Query.neighbourhood', () => {
  it('returns the entities one relation away and every relation between them', async () => {
    const res = await api.gql(`{ neighbourhood(ref: "shop/redis") { center { ref } nodes { ref } edges { source relation target } truncated d: distance(ref: "cluster:prod") } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data?.neighbourhood).toEqual({
      center: { ref: 'resource:shop/redis' },
      nodes: [{ ref: 'resource:shop/redis' }, { ref: 'cluster:default/prod' }, { ref: 'component:shop/cart' }],
      edges: [
        { source: 'component:shop/cart', relation: 'DEPENDS_ON', target: 'resource:shop/redis' },
        { source: 'component:shop/cart', relation: 'RUNS_ON', target: 'cluster:default/prod' },
        { source: 'resource:shop/redis', relation: 'RUNS_ON', target: 'cluster:default/prod' },
      ],
      truncated: false,
      d: 1,
    });
  });

  it('goes `depth` relations deep, only along `relations`', async () => {
    const res = await api.gql(`{ neighbourhood(ref: "component:shop/checkout", depth: 2, relations: [DEPENDS_ON, RUNS_ON]) { nodes { ref } edges { source target } truncated } }`);
    expect(res.data?.neighbourhood).toEqual({
      nodes: [{ ref: 'component:shop/checkout' }, { ref: 'component:shop/cart' }, { ref: 'cluster:default/prod' }, { ref: 'resource:shop/redis' }],
      edges: [
        { source: 'component:shop/cart', target: 'resource:shop/redis' }, // dependsOn before runsOn
        { source: 'component:shop/cart', target: 'cluster:default/prod' },
        { source: 'component:shop/checkout', target: 'component:shop/cart' },
        { source: 'resource:shop/redis', target: 'cluster:default/prod' },
      ],
      truncated: false,
    });
  });

  it('cuts the layer that does not fit in `limit` in ref order and says so', async () => {
    const res = await api.gql(`{ neighbourhood(ref: "component:shop/cart", limit: 3) { nodes { ref } edges { source target } truncated } }`);
    expect(res.data?.neighbourhood).toEqual({
      nodes: [{ ref: 'component:shop/cart' }, { ref: 'api:shop/cart-api' }, { ref: 'cluster:default/prod' }],
      edges: [
        { source: 'component:shop/cart', target: 'api:shop/cart-api' },
        { source: 'component:shop/cart', target: 'cluster:default/prod' },
      ],
      truncated: true,
    });
  });

  it('is null for an unknown entity and refuses bad depth or limit', async () => {
    const res = await api.gql(`{ neighbourhood(ref: "component:nope") { truncated } }`);
    expect(res).toEqual({ status: 200, data: { neighbourhood: null } });
    const bad = await api.gql(`{ a: neighbourhood(ref: "cluster:prod", depth: 6) { truncated } b: neighbourhood(ref: "cluster:prod", limit: 0) { truncated } }`);
    expect(bad.errors?.map((e) => e.message).sort()).toEqual(['"depth" must be between 0 and 5, got 6.', '"limit" must be between 1 and 1000, got 0.']);
  });
});

describe('history fields without a history', () => {
  it('are NOT_AVAILABLE errors on a server started without the repository history', async () => {
    const res = await api.gql(`{ catalog(at: "main") { commit { sha } } }`);
    expect(res.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      ['the catalog at other commits is not available on this server (it was started without the repository history).', 'NOT_AVAILABLE'],
    ]);
    const diff = await api.gql(`{ evaluateChange(base: "a", head: "b") { decision } }`);
    expect(diff.errors?.[0].extensions?.code).toBe('NOT_AVAILABLE');
  });
});
