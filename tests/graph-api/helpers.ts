import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import type { ApiContextSource } from '../../graph-api/context.ts';
import { createGraphqlHandler } from '../../graph-api/server.ts';
import type { RunningHttpServer } from '../../server/listen.ts';
import { serveRoutes } from '../helpers/http.ts';
import type { QueryLimits } from '../../graph-api/limits.ts';
import { buildSnapshot, SHOP, type SnapshotFixture } from '../graph/fixtures.ts';

/** SHOP plus a dependsOn cycle (a -> b -> c -> a), a self-dependency and filler components for paging. */
export const API_FIXTURE: SnapshotFixture = {
  commit: SHOP.commit,
  entities: [
    ...SHOP.entities,
    'component:loop/a',
    'component:loop/b',
    'component:loop/c',
    'component:loop/self',
    'component:island',
    ...Array.from({ length: 23 }, (_, i) => `component:filler/f${String(i).padStart(2, '0')}`),
  ],
  relations: [
    ...(SHOP.relations ?? []),
    'component:loop/a dependsOn component:loop/b',
    'component:loop/b dependsOn component:loop/c',
    'component:loop/c dependsOn component:loop/a',
    'component:loop/self dependsOn component:loop/self',
  ],
};

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApi {
  server: RunningHttpServer;
  store: InMemoryGraphStore;
  /** POSTs a query to /graphql. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** The GraphQL handler behind the server's router on 127.0.0.1, port 0, over an InMemoryGraphStore loaded with `fixture` (null: empty store), whose snapshot `search` indexes. */
export async function startTestApi(
  fixture: SnapshotFixture | null = API_FIXTURE,
  extra: Omit<ApiContextSource, 'store'> & { limits?: Partial<QueryLimits> } = {},
): Promise<TestApi> {
  const store = new InMemoryGraphStore({});
  const snapshot = fixture ? buildSnapshot(fixture) : undefined;
  if (snapshot) await store.load(snapshot);
  const source: ApiContextSource = { store, violations: extra.violations, snapshot: extra.snapshot ?? (() => snapshot), history: extra.history };
  const graphql = createGraphqlHandler({ source, logger: process.env.API_LOG ? true : false, limits: extra.limits });
  const server = await serveRoutes([{ methods: ['GET', 'POST'], path: graphql.path, handler: graphql.handle }]);
  const gql = async <T,>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as Omit<GraphQLResponse<T>, 'status'>) };
  };
  const close = async () => {
    await server.close();
    await graphql.dispose();
  };
  return { server, store, gql, close };
}
