import { IMPACT_FLOW } from '../catalog/relations.ts';
import type { RefString, Relation } from '../catalog/types.ts';
import { csrFromPairs, MAX_CSR_NODES, type Csr } from './csr.ts';
import type { ImpactedEntity, ImpactOptions, ImpactResult } from './GraphStore.ts';
import { csrExpand, orderedBfs, pathFromParents, type BfsResult } from './traversal.ts';

/**
 * A directed graph over refs. Ids are ranks of the refs in code-unit order, so
 * comparing ids compares refs; `successors` rows are ascending and distinct.
 */
export interface Digraph {
  refs: readonly RefString[];
  ids: ReadonlyMap<RefString, number>;
  successors: Csr;
}

/** Sorted distinct refs and their ids; pass `distinct` when `nodes` has no repeats (saves a pass). */
export function rankRefs(nodes: Iterable<RefString>, distinct = false): { refs: RefString[]; ids: Map<RefString, number> } {
  const refs = (distinct ? Array.from(nodes) : [...new Set(nodes)]).sort();
  if (refs.length > MAX_CSR_NODES) throw new RangeError(`a graph holds at most ${MAX_CSR_NODES} nodes`);
  const ids = new Map<RefString, number>();
  for (let i = 0; i < refs.length; i++) ids.set(refs[i], i);
  return { refs, ids };
}

/** A digraph of `nodes`; edges with an end outside `nodes` and self loops are dropped. */
export function buildDigraph(nodes: Iterable<RefString>, edges: Iterable<readonly [RefString, RefString]>): Digraph {
  const { refs, ids } = rankRefs(nodes);
  const from: number[] = [];
  const to: number[] = [];
  for (const [a, b] of edges) {
    const s = ids.get(a);
    const d = ids.get(b);
    if (s === undefined || d === undefined) continue;
    from.push(s);
    to.push(d);
  }
  return { refs, ids, successors: csrFromPairs(refs.length, from, to, from.length, true) };
}

/** The edge along which impact travels for a relation (`[affecting, affected]`), or undefined when none. */
export function impactEdge(relation: Relation): [RefString, RefString] | undefined {
  const flow = IMPACT_FLOW[relation.type];
  if (flow === 'source-to-target') return [relation.source, relation.target];
  if (flow === 'target-to-source') return [relation.target, relation.source];
  return undefined;
}

/**
 * GraphStore.impact over a digraph whose edges are impact edges. Roots are
 * matched exactly (normalize them first); those not in the graph are ignored.
 */
export function digraphImpact(graph: Digraph, roots: readonly RefString[], options: ImpactOptions = {}): ImpactResult {
  const rootIds = knownIds(graph, roots);
  const bfs = orderedBfs(graph.refs.length, rootIds, csrExpand(graph.successors), { maxDistance: options.depth });
  return { roots: rootIds.map((id) => graph.refs[id]), entities: impactedEntities(bfs, graph.refs) };
}

/** The lexicographically smallest shortest path along the digraph's edges, or null. */
export function digraphShortestPath(graph: Digraph, from: RefString, to: RefString): RefString[] | null {
  const s = graph.ids.get(from);
  const d = graph.ids.get(to);
  if (s === undefined || d === undefined) return null;
  if (s === d) return [from];
  const { parent } = orderedBfs(graph.refs.length, [s], csrExpand(graph.successors), { stopAt: d });
  return parent[d] < 0 ? null : pathFromParents(parent, d).map((id) => graph.refs[id]);
}

/** Ids of the refs present in the graph, ascending and distinct. */
export function knownIds(graph: Pick<Digraph, 'ids'>, refs: readonly RefString[]): number[] {
  const found = new Set<number>();
  for (const ref of refs) {
    const id = graph.ids.get(ref);
    if (id !== undefined) found.add(id);
  }
  return [...found].sort((a, b) => a - b);
}

/** Reached nodes (roots excluded) sorted by distance then ref, each with its path from a root. */
export function impactedEntities(bfs: BfsResult, refs: readonly RefString[]): ImpactedEntity[] {
  const entities: ImpactedEntity[] = [];
  for (let distance = 1; distance < bfs.layers.length; distance++) {
    for (const id of Int32Array.from(bfs.layers[distance]).sort()) {
      const via: RefString[] = new Array(distance);
      for (let u = bfs.parent[id], i = distance - 1; i >= 0; u = bfs.parent[u], i--) via[i] = refs[u];
      const ref = refs[id];
      entities.push({ ref, kind: ref.slice(0, ref.indexOf(':')), distance, via });
    }
  }
  return entities;
}
