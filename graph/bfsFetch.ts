import type { RefString } from '../catalog/types.ts';
import { buildDigraph, type Digraph } from './digraph.ts';

/** A node that exists in the graph, with its successors (any order, repeats allowed). */
export type Expansion = readonly [node: RefString, successors: readonly RefString[]];

/**
 * Expands a frontier (distinct refs) `hops` (>= 1) steps deep: one Expansion
 * (at least) for every existing node reached from an existing frontier node
 * in fewer than `hops` steps, frontier nodes included; none for refs that are
 * not nodes.
 */
export type ExpandFrontier = (frontier: readonly RefString[], hops: number) => Promise<readonly Expansion[]>;

export interface BfsFetchOptions {
  /** Nodes at this distance or beyond need not be expanded (default: unlimited). */
  maxDistance?: number;
  /** Hops per expand call (default 1). */
  hops?: number;
}

/**
 * The part of a graph that a breadth-first search from `roots` looks at,
 * fetched `hops` layers per `expand` call: the roots that exist, the nodes
 * they reach, and every edge leaving a node at distance < maxDistance, plus
 * possibly edges beyond. digraphImpact on the result (with the same depth)
 * answers as on the whole graph.
 */
export async function fetchBfsSubgraph(roots: readonly RefString[], expand: ExpandFrontier, options: BfsFetchOptions = {}): Promise<Digraph> {
  const maxDistance = options.maxDistance ?? Infinity;
  const hopsPerCall = Math.max(1, options.hops ?? 1);
  const seen = new Set<RefString>();
  const expanded = new Set<RefString>();
  const edges: [RefString, RefString][] = [];
  let frontier = [...new Set(roots)];
  // Invariant: every node at a distance below `distance` is expanded; `frontier` is the layer at `distance`.
  for (let distance = 0; frontier.length > 0; ) {
    const hops = Math.max(1, Math.min(hopsPerCall, maxDistance - distance));
    const discovered = record(await expand(frontier, hops), seen, expanded, edges);
    distance += hops;
    if (distance >= maxDistance) break;
    frontier = discovered.filter((node) => !expanded.has(node));
  }
  return buildDigraph(seen, edges);
}

/** Adds the expansions' nodes and edges (each node expanded once); returns the nodes seen for the first time. */
function record(expansions: readonly Expansion[], seen: Set<RefString>, expanded: Set<RefString>, edges: [RefString, RefString][]): RefString[] {
  const discovered: RefString[] = [];
  const see = (node: RefString): void => {
    if (seen.has(node)) return;
    seen.add(node);
    discovered.push(node);
  };
  for (const [node, successors] of expansions) {
    see(node);
    if (expanded.has(node)) continue;
    expanded.add(node);
    for (const s of successors) {
      edges.push([node, s]);
      see(s);
    }
  }
  return discovered;
}

/**
 * The part of a graph that holds every shortest path from `from` to `to`
 * (distinct refs), found by a bidirectional search: one layer per call,
 * always on the side with the smaller frontier; `forward` gives successors,
 * `backward` predecessors. Once the sides meet at distance D (the least
 * dF + dB over the nodes where they meet), every shortest path's edges are
 * known: those at positions below the forward depth a left forward-expanded
 * nodes, the others enter nodes within D - a - 1 <= b - 1 of `to`, which
 * were backward-expanded. digraphShortestPath on the result therefore gives
 * the same path as on the whole graph; no path, no meeting: `to` is absent.
 */
export async function fetchPathSubgraph(from: RefString, to: RefString, forward: ExpandFrontier, backward: ExpandFrontier): Promise<Digraph> {
  const edges: [RefString, RefString][] = [];
  const sides = [newSide(from), newSide(to)];
  for (let turn = 0; ; turn++) {
    // Both ends are expanded once first (that also checks they exist); then the smaller frontier.
    const s = turn < 2 ? turn : sides[0].frontier.length <= sides[1].frontier.length ? 0 : 1;
    const side = sides[s];
    const expansions = await (s === 0 ? forward : backward)(side.frontier, 1);
    const met = advance(side, expansions, sides[1 - s].depth, s === 0 ? edges : undefined, s === 1 ? edges : undefined);
    if (met || side.frontier.length === 0) break;
  }
  const nodes = new Set([...sides[0].depth.keys(), ...sides[1].depth.keys()]);
  return buildDigraph(nodes, edges);
}

interface Side {
  /** Distance from this side's end of every node it discovered. */
  depth: Map<RefString, number>;
  frontier: RefString[];
  /** Distance of the frontier. */
  level: number;
}

const newSide = (end: RefString): Side => ({ depth: new Map([[end, 0]]), frontier: [end], level: 0 });

/**
 * Expands a side's frontier by one layer (edges go to `forwardEdges` as node ->
 * successor, or to `backwardEdges` as predecessor -> node). Drops frontier refs
 * that are not nodes. Returns whether the new layer meets the other side.
 */
function advance(
  side: Side,
  expansions: readonly Expansion[],
  other: ReadonlyMap<RefString, number>,
  forwardEdges: [RefString, RefString][] | undefined,
  backwardEdges: [RefString, RefString][] | undefined,
): boolean {
  const existing = new Set(expansions.map(([node]) => node));
  for (const node of side.frontier) if (!existing.has(node)) side.depth.delete(node);
  const next: RefString[] = [];
  let met = false;
  for (const [node, neighbours] of expansions) {
    for (const n of neighbours) {
      forwardEdges?.push([node, n]);
      backwardEdges?.push([n, node]);
      if (side.depth.has(n)) continue;
      side.depth.set(n, side.level + 1);
      next.push(n);
      if (other.has(n)) met = true;
    }
  }
  side.frontier = existing.size === 0 ? [] : next;
  side.level++;
  return met;
}
