import type { RefString } from '../core/types.ts';
import { IMPACT_FLOW } from '../catalog/relations.ts';
import type { GraphStore } from '../graph/GraphStore.ts';

/** What correlation knows about a root: entities within `depth` hops downstream (its impact) and upstream (what it depends on), by distance. */
export interface RootTopology {
  root: RefString;
  /** The root's impact (`graph.impact`), the root itself excluded. */
  impact: ReadonlyMap<RefString, number>;
  /** Entities whose impact contains the root, the root itself excluded. */
  upstream: ReadonlyMap<RefString, number>;
  /** The graph commit it was computed on. */
  commit: string | undefined;
}

/**
 * Entities whose impact reaches `root` within `depth` hops: a breadth-first
 * walk over `graph.neighbours` taking each relation against its impact flow
 * (catalog/relations.ts IMPACT_FLOW). Impact flows from a neighbour n to x when
 * x is the source of a `target-to-source` relation to n (x dependsOn n, x runsOn n)
 * or the target of a `source-to-target` relation from n (n partOf x).
 */
export async function upstreamOf(graph: GraphStore, root: RefString, depth: number): Promise<Map<RefString, number>> {
  const found = new Map<RefString, number>();
  let layer = [root];
  const seen = new Set<RefString>([root]);
  for (let d = 1; d <= depth && layer.length > 0; d++) {
    const next: RefString[] = [];
    for (const x of layer) {
      for (const n of await graph.neighbours(x)) {
        const flow = IMPACT_FLOW[n.relation];
        const flowsIn = (n.direction === 'out' && flow === 'target-to-source') || (n.direction === 'in' && flow === 'source-to-target');
        if (!flowsIn || seen.has(n.ref)) continue;
        seen.add(n.ref);
        found.set(n.ref, d);
        next.push(n.ref);
      }
    }
    layer = next;
  }
  return found;
}

/**
 * The impact and upstream of roots, cached per graph commit and depth (a
 * cache only: the engine's state is in its store). `refresh` drops the cache
 * when the served graph moved.
 */
export class TopologyCache {
  private readonly graph: GraphStore;
  private readonly cache = new Map<string, Promise<RootTopology>>();
  private commit: string | undefined;
  private readonly limit: number;

  constructor(graph: GraphStore, limit = 10_000) {
    this.graph = graph;
    this.limit = limit;
  }

  /** Reads the graph's commit; forgets every cached root when it changed. Returns it. */
  async refresh(): Promise<string | undefined> {
    const commit = await this.graph.commit();
    if (commit !== this.commit) {
      this.cache.clear();
      this.commit = commit;
    }
    return commit;
  }

  of(root: RefString, depth: number): Promise<RootTopology> {
    const key = `${depth} ${root}`;
    let entry = this.cache.get(key);
    if (!entry) {
      if (this.cache.size >= this.limit) this.cache.delete(this.cache.keys().next().value!);
      entry = this.compute(root, depth);
      this.cache.set(key, entry);
      entry.catch(() => this.cache.delete(key));
    }
    return entry;
  }

  private async compute(root: RefString, depth: number): Promise<RootTopology> {
    const commit = this.commit;
    const result = await this.graph.impact([root], { depth });
    const impact = new Map<RefString, number>();
    for (const e of result.entities) impact.set(e.ref, e.distance);
    return { root, impact, upstream: await upstreamOf(this.graph, root, depth), commit };
  }
}
