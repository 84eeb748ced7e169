import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { startApiServer, type ApiContextSource, type RunningApiServer } from '../../graph-api/server.ts';
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
  server: RunningApiServer;
  store: InMemoryGraphStore;
  /** POSTs a query to /graphql. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1, port 0, over an InMemoryGraphStore loaded with `fixture` (null: empty store). */
export async function startTestApi(
  fixture: SnapshotFixture | null = API_FIXTURE,
  extra: Omit<ApiContextSource, 'store'> & { limits?: Partial<QueryLimits> } = {},
): Promise<TestApi> {
  const store = new InMemoryGraphStore({});
  if (fixture) await store.load(buildSnapshot(fixture));
  const server = await startApiServer({ source: { store, health: extra.health }, port: 0, logger: process.env.API_LOG ? true : false, limits: extra.limits });
  const gql = async <T,>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as Omit<GraphQLResponse<T>, 'status'>) };
  };
  return { server, store, gql, close: () => server.close() };
}
