import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshot } from '../graph/fixtures.ts';
import { API_FIXTURE, startTestApi, type GraphQLResponse, type TestApi } from './helpers.ts';

const PAGE = `query ($kind: String, $first: Int, $after: String) {
  entities(kind: $kind, first: $first, after: $after) {
    totalCount
    edges { cursor node { ref } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const allRefs = [...buildSnapshot(API_FIXTURE).entities.keys()].sort();

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

/** Follows endCursor until hasNextPage is false; returns the refs and the number of pages. */
async function pageThrough(first: number, kind?: string): Promise<{ refs: string[]; pages: number }> {
  const refs: string[] = [];
  let after: string | null = null;
  for (let pages = 1; pages < 1000; pages++) {
    const res: GraphQLResponse = await api.gql(PAGE, { kind, first, after });
    expect(res.errors).toBeUndefined();
    const { edges, pageInfo, totalCount } = res.data?.entities as { edges: any[]; pageInfo: any; totalCount: number };
    expect(pageInfo.hasPreviousPage).toBe(after !== null);
    expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
    expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
    refs.push(...edges.map((e: any) => e.node.ref));
    expect(pageInfo.hasNextPage).toBe(refs.length < totalCount);
    if (!pageInfo.hasNextPage) return { refs, pages };
    after = pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

describe('Query.entities', () => {
  it('pages through every entity in ref order with opaque cursors', async () => {
    expect(allRefs).toHaveLength(39);
    const { refs, pages } = await pageThrough(5);
    expect(refs).toEqual(allRefs);
    expect(pages).toBe(8);
  });

  it('pages through one kind, case-insensitively', async () => {
    const { refs } = await pageThrough(7, 'Component');
    expect(refs).toEqual(allRefs.filter((r) => r.startsWith('component:')));
    expect(refs).toHaveLength(31);
  });

  it('defaults to 50 per page and accepts up to 500', async () => {
    const res = await api.gql(`{ entities { totalCount edges { cursor } pageInfo { hasNextPage } } big: entities(first: 500) { edges { cursor } } }`);
    expect(res.data?.entities.edges).toHaveLength(39);
    expect(res.data?.entities.pageInfo.hasNextPage).toBe(false);
    expect(res.data?.big.edges).toHaveLength(39);
  });

  it('gives an empty page with first: 0 and past the end', async () => {
    const first = await api.gql(PAGE, { first: 1 });
    const cursor = first.data?.entities.edges[0].cursor;
    const zero = await api.gql(PAGE, { first: 0, after: cursor });
    expect(zero.data?.entities).toMatchObject({ totalCount: 39, edges: [], pageInfo: { hasNextPage: true, hasPreviousPage: true, endCursor: null } });
    const last = (await api.gql(PAGE, { first: 500 })).data?.entities.pageInfo.endCursor;
    const past = await api.gql(PAGE, { after: last });
    expect(past.data?.entities).toMatchObject({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: true } });
  });

  it('neither skips nor repeats entities when the graph follows a new commit between two pages', async () => {
    const own = await startTestApi();
    try {
      const firstPage = (await own.gql(PAGE, { first: 10 })).data?.entities;
      const seen: string[] = firstPage.edges.map((e: any) => e.node.ref);
      const removedBefore = seen[3];
      const next = { ...API_FIXTURE, commit: 'dddd000000000000000000000000000000000004', entities: [...API_FIXTURE.entities.filter((e) => (typeof e === 'string' ? e : e.ref) !== removedBefore), 'api:aaa/inserted-first'] };
      await own.store.load(buildSnapshot(next));
      const rest = (await own.gql(PAGE, { first: 500, after: firstPage.pageInfo.endCursor })).data?.entities;
      const after: string[] = rest.edges.map((e: any) => e.node.ref);
      expect(after).toEqual(allRefs.filter((r) => r > seen[9]));
      expect(new Set([...seen, ...after]).size).toBe(seen.length + after.length);
      expect(rest.totalCount).toBe(39);
    } finally {
      await own.close();
    }
  });

  it('exposes nodes without cursors', async () => {
    const res = await api.gql(`{ entities(kind: "group", first: 1) { nodes { ref } totalCount } }`);
    expect(res.data?.entities).toEqual({ nodes: [{ ref: 'group:default/eng' }], totalCount: 2 });
  });

  it.each([
    [{ first: 501 }, '"first" must be at most 500, got 501'],
    [{ first: -1 }, '"first" must be 0 or more, got -1'],
    [{ after: 'not-a-cursor' }, 'Invalid cursor "not-a-cursor"'],
    [{ after: Buffer.from('offset:3').toString('base64url') }, 'Invalid cursor'],
    [{ after: Buffer.from('ref:').toString('base64url') }, 'Invalid cursor'],
  ])('rejects %j with a clear error', async (variables, message) => {
    const res = await api.gql(PAGE, variables);
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(res.errors?.[0].message).toContain(message);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
