import { afterEach, describe, expect, it } from 'vitest';
import { CmdbError } from '../../core/errors.ts';
import { GraphQLError } from '../../graph-api/graphql.ts';
import { maskApiError } from '../../graph-api/plugins.ts';
import { SHOP } from '../graph/fixtures.ts';
import { startTestApi, type TestApi } from './helpers.ts';

const started: TestApi[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((api) => api.close()));
});

async function start(...args: Parameters<typeof startTestApi>): Promise<TestApi> {
  const api = await startTestApi(...args);
  started.push(api);
  return api;
}

describe('the GraphQL handler', () => {
  it('serves GraphiQL to browsers and queries over GET', async () => {
    const api = await start();
    const page = await fetch(`${api.server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('graphiql');
    const get = await fetch(`${api.server.url}/graphql?query=${encodeURIComponent('{ commit }')}`, { headers: { accept: 'application/json' } });
    expect(await get.json()).toEqual({ data: { commit: SHOP.commit } });
  });

  it('listens on 127.0.0.1 and closes', async () => {
    const api = await startTestApi();
    expect(api.server.url).toBe(`http://127.0.0.1:${api.server.port}`);
    expect(api.server.port).toBeGreaterThan(0);
    await api.close();
    await expect(fetch(`${api.server.url}/graphql`)).rejects.toThrow();
  });
});

describe('query limits', () => {
  const nested = (levels: number): string => `{ entity(ref: "component:shop/cart") { ${'owner { '.repeat(levels)}ref${' }'.repeat(levels)} } }`;

  it('accepts a query 12 levels deep and rejects 13 before running it', async () => {
    const api = await start();
    const ok = await api.gql(nested(10));
    expect(ok.errors).toBeUndefined();
    const deep = await api.gql(nested(11));
    expect(deep.data).toBeUndefined();
    expect(deep.errors?.[0].message).toBe('Query is 13 levels deep; the maximum is 12. Ask for fewer nested levels.');
    expect(deep.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('counts depth through fragments', async () => {
    const api = await start();
    const query = `query { entity(ref: "component:shop/cart") { ...A } }
      fragment A on Entity { owner { owner { ...B } } }
      fragment B on Entity { owner { owner { ...C } } }
      fragment C on Entity { owner { owner { ...D } } }
      fragment D on Entity { owner { owner { ...E } } }
      fragment E on Entity { owner { owner { ...F } } }
      fragment F on Entity { owner { owner { ref } } }`;
    const res = await api.gql(query);
    expect(res.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('rejects nested lists whose fan-out would explode', async () => {
    const api = await start();
    const fanOut = await api.gql(`{ entities(first: 500) { edges { node { neighbours { entity { neighbours { entity { neighbours { ref } } } } } } } } }`);
    expect(fanOut.data).toBeUndefined();
    expect(fanOut.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('estimates cost with the request\'s variables', async () => {
    const api = await start();
    const query = `query ($n: Int) { entities(first: $n) { edges { node { impact { count } } } } }`;
    const small = await api.gql(query, { n: 10 });
    expect(small.errors).toBeUndefined();
    expect(small.data?.entities.edges).toHaveLength(10);
    const big = await api.gql(query, { n: 300 });
    expect(big.data).toBeUndefined();
    expect(big.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('rejects alias floods of traversals by cost and huge documents by token count', async () => {
    const api = await start();
    const traversals = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: impact(refs: ["cluster:prod"]) { count }`).join(' ');
    expect((await api.gql(`{ ${traversals(150)} }`)).errors).toBeUndefined();
    const costly = await api.gql(`{ ${traversals(250)} }`);
    expect(costly.data).toBeUndefined();
    expect(costly.errors?.[0].message).toMatch(/^Query is too complex: estimated cost \d+, maximum 100000\./);
    const huge = await api.gql(`{ ${Array.from({ length: 6000 }, (_, i) => `a${i}: commit`).join(' ')} }`);
    expect(huge.data).toBeUndefined();
    expect(huge.errors?.[0].message).toMatch(/Document contains more tha[nt] 10000 tokens/);
  });

  it('measures the depth of exponentially expanding fragments without expanding them', async () => {
    const api = await start();
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Entity { a: owner { ...F${i + 1} } b: owner { ...F${i + 1} } }`);
    const res = await api.gql(`{ entity(ref: "component:shop/cart") { ...F0 } } ${fragments.join(' ')} fragment F${levels} on Entity { ref }`);
    expect(res.data).toBeUndefined();
    expect(res.errors?.map((e) => [e.message, e.extensions?.code])).toContainEqual(['Query is 42 levels deep; the maximum is 12. Ask for fewer nested levels.', 'QUERY_TOO_DEEP']);
  });

  it('rejects too many aliases and directives, counting fragments where they are spread', async () => {
    const api = await start(undefined, { limits: { maxAliases: 4, maxDirectives: 2 } });
    const fourAliases = `{ a: commit b: commit ...F } fragment F on Query { c: commit d: commit }`;
    expect((await api.gql(fourAliases)).errors).toBeUndefined();
    const fiveAliases = await api.gql(`{ a: commit b: commit ...F ...F } fragment F on Query { c: commit d: commit }`.replace('...F ...F', '...F e: commit'));
    expect(fiveAliases.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['Query has 5 aliases; the maximum is 4. Split it into several requests.', 'QUERY_TOO_MANY_ALIASES']]);
    const directives = await api.gql(`{ commit @include(if: true) @skip(if: false) dependencyCycles @include(if: true) }`);
    expect(directives.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['Query has 3 directives; the maximum is 2.', 'QUERY_TOO_MANY_DIRECTIVES']]);
    const defaults = await start();
    const many = await defaults.gql(`{ ${Array.from({ length: 301 }, (_, i) => `a${i}: commit`).join(' ')} }`);
    expect(many.errors?.map((e) => e.message)).toEqual(['Query has 301 aliases; the maximum is 300. Split it into several requests.']);
  });

  it('still answers introspection (GraphiQL needs it)', async () => {
    const api = await start();
    const { getIntrospectionQuery } = await import('../../graph-api/graphql.ts');
    const res = await api.gql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true, directiveIsRepeatable: true }));
    expect(res.errors).toBeUndefined();
    expect(res.data?.__schema.queryType.name).toBe('Query');
  });

  it('rejects a deep introspection query', async () => {
    const api = await start();
    const res = await api.gql(`{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } }`);
    expect(res.data).toBeUndefined();
    expect(res.errors?.map((e) => e.message)).toEqual(['Maximum introspection depth exceeded']); // graphql-js' own rule
  });
});

describe('errors', () => {
  it('shows the message of a CmdbError and masks other unexpected errors', () => {
    const located = (original: Error) => new GraphQLError(original.message, { path: ['entity'], originalError: original });
    const cmdb = maskApiError(located(new CmdbError('graph store bolt://db:7687 unreachable', { code: 'graph-store' })), 'Unexpected error.', false);
    expect(cmdb.message).toBe('graph store bolt://db:7687 unreachable');
    expect((cmdb as GraphQLError).extensions.code).toBe('CMDB_GRAPH_STORE');
    expect((cmdb as GraphQLError).path).toEqual(['entity']);
    const bug = maskApiError(located(new TypeError('x is undefined')), 'Unexpected error.', false);
    expect(bug.message).toBe('Unexpected error.');
    const internal = maskApiError(located(new CmdbError('invariant broken', { code: 'internal' })), 'Unexpected error.', false);
    expect(internal.message).toBe('Unexpected error.');
  });

  it('answers empty from a closed store', async () => {
    const api = await start();
    await api.store.close();
    const res = await api.gql(`{ entity(ref: "component:shop/cart") { ref } commit }`);
    expect(res).toEqual({ status: 200, data: { entity: null, commit: null } });
  });
});
