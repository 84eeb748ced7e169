import { normalizeRef } from '../catalog/refs.ts';
import type { RefString, RelationType, Snapshot } from '../catalog/types.ts';
import { digraphImpact } from './digraph.ts';
import { buildGraphIndex, type GraphIndex } from './GraphIndex.ts';
import { copyGraphNode } from './graphNode.ts';
import type { Direction, GraphNode, GraphStore, ImpactOptions, ImpactResult, Neighbour, PathOptions } from './GraphStore.ts';
import { dependsOnCsr, neighboursOf, shortestPathBetween } from './indexQueries.ts';
import { cyclicComponents } from './traversal.ts';

export interface InMemoryGraphStoreOptions {
  /** Snapshot to start with (default: empty). */
  snapshot?: Snapshot;
}

const EMPTY: Snapshot = { commit: '', entities: new Map(), relations: [], files: new Map(), violations: [] };

/** The default GraphStore: the whole graph indexed in memory, rebuilt by each load(). */
export class InMemoryGraphStore implements GraphStore {
  readonly name = 'memory';
  private index: GraphIndex = buildGraphIndex(EMPTY);
  private loaded = false;
  private closed = false;
  private cycles: RefString[][] | undefined;

  constructor(options: InMemoryGraphStoreOptions = {}) {
    if (options.snapshot) this.replace(options.snapshot);
  }

  async load(snapshot: Snapshot): Promise<void> {
    this.replace(snapshot);
  }

  async commit(): Promise<string | undefined> {
    return this.loaded ? this.index.commit : undefined;
  }

  async getEntity(ref: RefString): Promise<GraphNode | undefined> {
    const id = this.idOf(ref);
    return id === undefined ? undefined : copyGraphNode(this.index.nodes[id]);
  }

  async listEntities(options: { kind?: string; offset?: number; limit?: number }): Promise<{ nodes: GraphNode[]; total: number }> {
    const { nodes, byKind } = this.index;
    const ids = options.kind === undefined ? undefined : (byKind.get(options.kind.toLowerCase()) ?? new Int32Array(0));
    const total = ids ? ids.length : nodes.length;
    const start = Math.max(0, options.offset ?? 0);
    const end = Math.min(total, start + Math.max(0, options.limit ?? total));
    const page: GraphNode[] = [];
    for (let i = start; i < end; i++) page.push(copyGraphNode(nodes[ids ? ids[i] : i]));
    return { nodes: page, total };
  }

  async neighbours(ref: RefString, options: { direction?: Direction; relations?: readonly RelationType[] } = {}): Promise<Neighbour[]> {
    const id = this.idOf(ref);
    return id === undefined ? [] : neighboursOf(this.index, id, options.direction ?? 'both', options.relations);
  }

  async impact(roots: readonly RefString[], options: ImpactOptions = {}): Promise<ImpactResult> {
    const normalized = roots.map((r) => normalizeRef(r)).filter((r) => r !== undefined);
    return digraphImpact(this.index, normalized, options);
  }

  async shortestPath(from: RefString, to: RefString, options: PathOptions = {}): Promise<RefString[] | null> {
    const s = this.idOf(from);
    const d = this.idOf(to);
    return s === undefined || d === undefined ? null : shortestPathBetween(this.index, s, d, options);
  }

  async dependencyCycles(): Promise<RefString[][]> {
    const { refs } = this.index;
    this.cycles ??= cyclicComponents(dependsOnCsr(this.index)).map((c) => c.map((id) => refs[id]));
    return this.cycles.map((c) => c.slice());
  }

  async healthy(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.index = buildGraphIndex(EMPTY);
    this.loaded = false;
    this.cycles = undefined;
  }

  private replace(snapshot: Snapshot): void {
    this.index = buildGraphIndex(snapshot);
    this.loaded = true;
    this.cycles = undefined;
  }

  private idOf(ref: RefString): number | undefined {
    const normalized = normalizeRef(ref);
    return normalized === undefined ? undefined : this.index.ids.get(normalized);
  }
}
