import type { RefString } from '../catalog/types.ts';
import { buildDigraph, type Digraph } from './digraph.ts';

/** One node of a frontier that exists in the graph, with its successors (any order, repeats allowed). */
export type Expansion = readonly [node: RefString, successors: readonly RefString[]];

/** Expands a frontier (distinct refs): one Expansion per ref that is a node of the graph, none for the others. */
export type ExpandFrontier = (frontier: readonly RefString[]) => Promise<readonly Expansion[]>;

export interface BfsFetchOptions {
  /** Expand no node at this distance or beyond (default: unlimited). */
  maxDistance?: number;
  /** Stop once this node has been reached. */
  stopAt?: RefString;
}

/**
 * The part of a graph that a breadth-first search from `roots` looks at,
 * fetched one layer per `expand` call: the roots that exist, the nodes they
 * reach, and every edge leaving a node at distance < maxDistance (or, with
 * stopAt, leaving a node of a layer before the one that reaches it).
 * digraphImpact / digraphShortestPath on the result (with the same limits)
 * answer as they would on the whole graph.
 */
export async function fetchBfsSubgraph(roots: readonly RefString[], expand: ExpandFrontier, options: BfsFetchOptions = {}): Promise<Digraph> {
  const maxDistance = options.maxDistance ?? Infinity;
  const seen = new Set<RefString>();
  const edges: [RefString, RefString][] = [];
  let layer = await expand([...new Set(roots)]);
  for (const [node] of layer) seen.add(node);
  for (let distance = 0; distance < maxDistance; distance++) {
    const next = recordLayer(layer, seen, edges);
    const done = next.length === 0 || (options.stopAt !== undefined && seen.has(options.stopAt)) || distance + 1 >= maxDistance;
    if (done) break;
    layer = await expand(next);
  }
  return buildDigraph(seen, edges);
}

/** Adds the layer's edges; returns the nodes seen for the first time (the next frontier). */
function recordLayer(layer: readonly Expansion[], seen: Set<RefString>, edges: [RefString, RefString][]): RefString[] {
  const next: RefString[] = [];
  for (const [node, successors] of layer) {
    for (const s of successors) {
      edges.push([node, s]);
      if (seen.has(s)) continue;
      seen.add(s);
      next.push(s);
    }
  }
  return next;
}
