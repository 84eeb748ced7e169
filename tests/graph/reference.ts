import { IMPACT_FLOW } from '../../catalog/relations.ts';
import type { RefString, Relation, RelationType, Snapshot } from '../../catalog/types.ts';
import type { ImpactResult, Neighbour, PathOptions } from '../../graph/GraphStore.ts';

/**
 * Deliberately naive implementations of the GraphStore queries, straight from
 * the contract's wording, used as oracles on random graphs.
 */

/** Relations between existing entities, each (type, source, target) once. */
function liveRelations(snapshot: Snapshot): Relation[] {
  const seen = new Set<string>();
  return snapshot.relations.filter((r) => {
    const key = `${r.type} ${r.source} ${r.target}`;
    if (!snapshot.entities.has(r.source) || !snapshot.entities.has(r.target) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function comparePaths(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareStrings(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * For every node reachable from `sources` over `edges` (within `depth`), the
 * smallest shortest path (sources included), computed layer by layer as the
 * minimum over all predecessors in the previous layer.
 */
function smallestPaths(sources: RefString[], edges: [RefString, RefString][], depth = Infinity): Map<RefString, RefString[]> {
  const best = new Map<RefString, RefString[]>(sources.map((s) => [s, [s]]));
  let layer = sources;
  for (let d = 1; d <= depth && layer.length > 0; d++) {
    const candidates = new Map<RefString, RefString[]>();
    for (const [a, b] of edges) {
      if (!layer.includes(a) || best.has(b)) continue;
      const path = [...best.get(a)!, b];
      const current = candidates.get(b);
      if (!current || comparePaths(path, current) < 0) candidates.set(b, path);
    }
    for (const [node, path] of candidates) best.set(node, path);
    layer = [...candidates.keys()];
  }
  return best;
}

export function referenceImpact(snapshot: Snapshot, roots: RefString[], depth?: number): ImpactResult {
  const edges: [RefString, RefString][] = [];
  for (const r of liveRelations(snapshot)) {
    if (IMPACT_FLOW[r.type] === 'source-to-target') edges.push([r.source, r.target]);
    if (IMPACT_FLOW[r.type] === 'target-to-source') edges.push([r.target, r.source]);
  }
  const known = [...new Set(roots.filter((r) => snapshot.entities.has(r)))].sort(compareStrings);
  const paths = smallestPaths(known, edges, depth);
  const entities = [...paths]
    .filter(([ref]) => !known.includes(ref))
    .map(([ref, path]) => ({ ref, kind: ref.slice(0, ref.indexOf(':')), distance: path.length - 1, via: path.slice(0, -1) }))
    .sort((a, b) => a.distance - b.distance || compareStrings(a.ref, b.ref));
  return { roots: known, entities };
}

export function referenceShortestPath(snapshot: Snapshot, from: RefString, to: RefString, options: PathOptions = {}): RefString[] | null {
  if (!snapshot.entities.has(from) || !snapshot.entities.has(to)) return null;
  const edges: [RefString, RefString][] = [];
  for (const r of liveRelations(snapshot)) {
    if (options.relations && !options.relations.includes(r.type)) continue;
    edges.push([r.source, r.target]);
    if ((options.direction ?? 'both') === 'both') edges.push([r.target, r.source]);
  }
  return smallestPaths([from], edges).get(to) ?? null;
}

export function referenceNeighbours(snapshot: Snapshot, ref: RefString, relations?: readonly RelationType[]): Neighbour[] {
  const found: Neighbour[] = [];
  for (const r of liveRelations(snapshot)) {
    if (relations && !relations.includes(r.type)) continue;
    if (r.source === ref) found.push({ ref: r.target, relation: r.type, direction: 'out' });
    if (r.target === ref) found.push({ ref: r.source, relation: r.type, direction: 'in' });
  }
  return found.sort((a, b) => compareStrings(a.relation, b.relation) || compareStrings(a.direction, b.direction) || compareStrings(a.ref, b.ref));
}

/** Mutual reachability over dependsOn, by brute force. */
export function referenceCycles(snapshot: Snapshot): RefString[][] {
  const deps = liveRelations(snapshot).filter((r) => r.type === 'dependsOn');
  const reach = (from: RefString): Set<RefString> => {
    const seen = new Set<RefString>();
    const todo = [from];
    while (todo.length > 0) {
      const u = todo.pop()!;
      for (const r of deps) if (r.source === u && !seen.has(r.target)) seen.add(r.target), todo.push(r.target);
    }
    return seen;
  };
  const reachable = new Map([...snapshot.entities.keys()].map((ref) => [ref, reach(ref)]));
  const cycles = new Map<RefString, RefString[]>();
  for (const [ref, set] of reachable) {
    if (!set.has(ref)) continue;
    const members = [...set].filter((other) => reachable.get(other)!.has(ref)).sort(compareStrings);
    cycles.set(members[0], members);
  }
  return [...cycles.values()].sort((a, b) => compareStrings(a[0], b[0]));
}
