/**
 * Batched entity loading (DataLoader over GraphStore.getEntities): a page of
 * incidents with their roots, owners and impacted entities, read through a
 * store that counts its calls, makes a bounded number of them whatever the
 * page size; each ref is fetched once per request; an entity gone from the
 * catalog is null while its ref stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefString } from '../../catalog/types.ts';
import { createGraphqlHandler } from '../../graph-api/server.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import type { RunningHttpServer } from '../../server/listen.ts';
import type { Incident } from '../../state/IncidentRecords.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';
import { buildSnapshot } from '../graph/fixtures.ts';
import { serveRoutes } from '../helpers/http.ts';

const N = 150;

/** A GraphStore that forwards to another and counts the entity reads. */
function countingStore(inner: GraphStore) {
  const calls = { getEntity: 0, getEntities: 0, refs: [] as RefString[] };
  const store: GraphStore = Object.assign(Object.create(null) as GraphStore, {
    name: inner.name,
    load: inner.load.bind(inner),
    applyDiff: inner.applyDiff.bind(inner),
    commit: inner.commit.bind(inner),
    getEntity: (ref: RefString) => {
      calls.getEntity++;
      return inner.getEntity(ref);
    },
    getEntities: (refs: readonly RefString[]) => {
      calls.getEntities++;
      calls.refs.push(...refs);
      return inner.getEntities(refs);
    },
    listEntities: inner.listEntities.bind(inner),
    neighbours: inner.neighbours.bind(inner),
    impact: inner.impact.bind(inner),
    shortestPath: inner.shortestPath.bind(inner),
    dependencyCycles: inner.dependencyCycles.bind(inner),
    healthy: inner.healthy.bind(inner),
    close: inner.close.bind(inner),
  });
  const reset = () => Object.assign(calls, { getEntity: 0, getEntities: 0, refs: [] });
  return { store, calls, reset };
}

const incident = (i: number): Incident => ({
  id: `INC-${i + 1}`,
  state: 'open',
  title: `svc-${i} down`,
  severity: 'high',
  // The last one's root is gone from the catalog.
  root: i === N - 1 ? 'component:default/gone' : `component:default/svc-${i}`,
  signals: [],
  correlated: [],
  impacted: [{ ref: 'component:default/web', distance: 1, criticality: 'high' }],
  impactedCount: 1,
  probableCauses: [],
  runbooks: [],
  openedAt: new Date(Date.UTC(2026, 11, 1) + i * 60_000).toISOString(),
  timeline: [],
  revision: 1,
});

let server: RunningHttpServer;
let dispose: () => Promise<void>;
const counting = countingStore(new InMemoryGraphStore({}));

beforeAll(async () => {
  await counting.store.load(
    buildSnapshot({
      entities: ['group:team', { ref: 'component:web', owner: 'team' }, ...Array.from({ length: N - 1 }, (_, i) => ({ ref: `component:svc-${i}`, owner: 'team' }))],
    }),
  );
  const incidents = new InMemoryIncidentStore();
  await incidents.commit({ incidents: Array.from({ length: N }, (_, i) => incident(i)) });
  const graphql = createGraphqlHandler({ source: { store: counting.store, incidents }, logger: false });
  server = await serveRoutes([{ methods: ['POST'], path: graphql.path, handler: graphql.handle }]);
  dispose = () => graphql.dispose();
});
afterAll(async () => {
  await server?.close();
  await dispose?.();
});

async function gql(query: string) {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: unknown[] };
}

describe('batched entity loading', () => {
  for (const first of [10, 100, N]) {
    it(`${first} incidents with roots, owners and impacted entities: one getEntities call per level, no getEntity`, async () => {
      counting.reset();
      const answer = await gql(`{ incidents(first: ${first}) { nodes { rootRef root { ref owner { ref } } impacted { entity { ref } } } } }`);
      expect(answer.errors).toBeUndefined();
      const nodes = answer.data.incidents.nodes;
      expect(nodes).toHaveLength(first);
      // Level 1: the roots and the impacted entities; level 2: the owners (one ref, fetched once).
      expect(counting.calls.getEntity).toBe(0);
      expect(counting.calls.getEntities).toBe(2);
      // Each ref once per request.
      expect(counting.calls.refs.length).toBe(new Set(counting.calls.refs).size);
      for (const n of nodes) {
        if (n.rootRef === 'component:default/gone') expect(n.root).toBeNull();
        else expect(n.root).toEqual({ ref: n.rootRef, owner: { ref: 'group:default/team' } });
        expect(n.impacted).toEqual([{ entity: { ref: 'component:default/web' } }]);
      }
    });
  }
});
