import type { Snapshot } from '../catalog/types.ts';
import type { GraphStore } from './GraphStore.ts';
import { InMemoryGraphStore } from './InMemoryGraphStore.ts';

/** In-memory graphs of recent commits, built once per commit and shared (they are only read once built). */
export class GraphPool {
  private readonly graphs = new Map<string, Promise<InMemoryGraphStore>>();
  private readonly keep: number;

  constructor(options: { keep?: number } = {}) {
    this.keep = options.keep ?? 3;
  }

  graphFor(snapshot: Snapshot): Promise<InMemoryGraphStore> {
    let graph = this.graphs.get(snapshot.commit);
    if (graph) this.graphs.delete(snapshot.commit);
    else graph = Promise.resolve(new InMemoryGraphStore({ snapshot }));
    this.graphs.set(snapshot.commit, graph);
    while (this.graphs.size > this.keep) this.graphs.delete(this.graphs.keys().next().value!);
    return graph;
  }
}

/**
 * The GraphStore an evaluation gets: `load(snapshot)` switches to the pool's
 * graph of that commit instead of rebuilding one; everything else is asked
 * of that graph. Closing it leaves the pool's graphs alone.
 */
export class PooledGraph implements GraphStore {
  readonly name = 'memory';
  private current: GraphStore = new InMemoryGraphStore({});
  private readonly pool: GraphPool;

  constructor(options: { pool: GraphPool }) {
    this.pool = options.pool;
  }

  async load(snapshot: Snapshot): Promise<void> {
    this.current = await this.pool.graphFor(snapshot);
  }

  async applyDiff(_base: Snapshot, head: Snapshot): Promise<void> {
    this.current = await this.pool.graphFor(head);
  }

  commit: GraphStore['commit'] = () => this.current.commit();
  getEntity: GraphStore['getEntity'] = (ref) => this.current.getEntity(ref);
  getEntities: GraphStore['getEntities'] = (refs) => this.current.getEntities(refs);
  listEntities: GraphStore['listEntities'] = (options) => this.current.listEntities(options);
  neighbours: GraphStore['neighbours'] = (ref, options) => this.current.neighbours(ref, options);
  impact: GraphStore['impact'] = (roots, options) => this.current.impact(roots, options);
  shortestPath: GraphStore['shortestPath'] = (from, to, options) => this.current.shortestPath(from, to, options);
  dependencyCycles: GraphStore['dependencyCycles'] = () => this.current.dependencyCycles();
  healthy: GraphStore['healthy'] = () => this.current.healthy();

  async close(): Promise<void> {}
}
