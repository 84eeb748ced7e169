/**
 * GraphStore.getEntities through the stores that wrap others (the contract
 * suite runs it against InMemoryGraphStore and Neo4jGraphStore): the failover
 * store answers from the primary, and from the fallback while the primary
 * fails; the pooled graph from the pool's graph of the loaded commit.
 */
import { describe, expect, it } from 'vitest';
import { FailoverGraphStore } from '../../graph/FailoverGraphStore.ts';
import { GraphPool, PooledGraph } from '../../graph/GraphPool.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { buildSnapshot, SHOP } from './fixtures.ts';

const REFS = ['component:shop/cart', 'Cluster:Prod', 'component:nope', 'component:shop/cart'];
const snapshot = buildSnapshot(SHOP);

async function sameAsGetEntity(store: GraphStore) {
  const batch = await store.getEntities(REFS);
  expect(batch.map((n) => n?.ref)).toEqual(['component:shop/cart', 'cluster:default/prod', undefined, 'component:shop/cart']);
  expect(batch).toEqual(await Promise.all(REFS.map((ref) => store.getEntity(ref))));
}

describe('getEntities through wrapping stores', () => {
  it('FailoverGraphStore: from the primary, then from the fallback while the primary fails', async () => {
    const primary = new InMemoryGraphStore({});
    const store = new FailoverGraphStore({ primary, fallback: new InMemoryGraphStore({}) });
    await store.load(snapshot);
    await sameAsGetEntity(store);
    const failing: GraphStore = Object.assign(Object.create(primary) as GraphStore, { getEntities: () => Promise.reject(new Error('primary down')) });
    const failover = new FailoverGraphStore({ primary: failing, fallback: new InMemoryGraphStore({ snapshot }) });
    expect((await failover.getEntities(REFS)).map((n) => n?.ref)).toEqual(['component:shop/cart', 'cluster:default/prod', undefined, 'component:shop/cart']);
    expect(failover.lastFailure).toBe('primary down');
  });

  it('PooledGraph: from the pool\'s graph of the loaded commit', async () => {
    const store = new PooledGraph({ pool: new GraphPool() });
    expect(await store.getEntities(REFS)).toEqual([undefined, undefined, undefined, undefined]);
    await store.load(snapshot);
    await sameAsGetEntity(store);
  });
});
