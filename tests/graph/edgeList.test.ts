/**
 * snapshotEdgeList (the full sync's edges, read from a snapshot's rows)
 * against snapshotEdges (from its relations, by string keys): the same edges,
 * in the same order, with the same fields.
 */
import { describe, expect, it } from 'vitest';
import { snapshotEdgeList, snapshotEdges } from '../../graph/graphDiff.ts';
import { buildSnapshot } from './fixtures.ts';
import { randomFixture } from './random.ts';

describe('snapshotEdgeList', () => {
  it.each([1, 2, 3, 4, 5])('equals the values of snapshotEdges on a random catalog (seed %i: duplicates, self loops, dangling targets)', (seed) => {
    const snapshot = buildSnapshot(randomFixture(seed, 60, 400));
    const expected = [...snapshotEdges(snapshot).values()];
    expect(expected.length).toBeGreaterThan(100);
    expect(snapshotEdgeList(snapshot)).toEqual(expected);
  });

  it('gives one edge for a relation declared twice (spec.owner and a relation line), as snapshotEdges does', () => {
    const snapshot = buildSnapshot({
      entities: ['component:default/a', { ref: 'component:default/b', owner: 'group:default/t' }, 'group:default/t'],
      relations: ['component:default/a dependsOn component:default/b', 'component:default/b ownedBy group:default/t'],
    });
    const edges = snapshotEdgeList(snapshot);
    expect(edges.filter((e) => e.type === 'ownedBy')).toHaveLength(1);
    expect(edges).toEqual([...snapshotEdges(snapshot).values()]);
  });
});
