import { normalizeRef } from '../catalog/refs.ts';
import type { RefString, RelationType, Snapshot, SnapshotRows } from '../catalog/types.ts';
import { digraphImpact } from './digraph.ts';
import { buildGraphIndex, type GraphIndex } from './GraphIndex.ts';
import { assertDiffBase, sameNodeContent } from './graphDiff.ts';
import { nodeFromFacts } from './graphNode.ts';
import type { Direction, GraphNode, GraphStore, ImpactOptions, ImpactResult, Neighbour, PathOptions } from './GraphStore.ts';
import { dependsOnCsr, neighboursOf, shortestPathBetween } from './indexQueries.ts';
import { cyclicComponents } from './traversal.ts';

export interface InMemoryGraphStoreOptions {
  /** Snapshot to start with (default: empty). */
  snapshot?: Snapshot;
}

/** The rows of no snapshot: what the store holds before the first load and after close. */
const NO_ROWS: SnapshotRows = {
  refs: [],
  ids: new Map(),
  relType: new Uint8Array(0),
  relSource: new Int32Array(0),
  relTarget: new Int32Array(0),
  idAfter: () => 0,
  entityAt: (id) => {
    throw new RangeError(`no entity ${id} in an empty graph`);
  },
  factsAt: (id) => {
    throw new RangeError(`no entity ${id} in an empty graph`);
  },
  ownerAt: (id) => {
    throw new RangeError(`no entity ${id} in an empty graph`);
  },
  fileAt: (id) => {
    throw new RangeError(`no entity ${id} in an empty graph`);
  },
  blobAt: (id) => {
    throw new RangeError(`no entity ${id} in an empty graph`);
  },
  documentAt: (id) => {
    throw new RangeError(`no entity ${id} in an empty graph`);
  },
};
const EMPTY = { commit: '', rows: NO_ROWS };

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

  /** Rebuilds from head (there is nothing to gain in memory), keeping the commit of unchanged nodes. */
  async applyDiff(base: Snapshot, head: Snapshot): Promise<void> {
    assertDiffBase(this.name, await this.commit(), base, head);
    const previous = this.index;
    this.replace(head);
    keepUnchangedCommits(this.index, previous);
  }

  async commit(): Promise<string | undefined> {
    return this.loaded ? this.index.commit : undefined;
  }

  async getEntity(ref: RefString): Promise<GraphNode | undefined> {
    const id = this.idOf(ref);
    return id === undefined ? undefined : this.node(id);
  }

  async getEntities(refs: readonly RefString[]): Promise<Array<GraphNode | undefined>> {
    return refs.map((ref) => {
      const id = this.idOf(ref);
      return id === undefined ? undefined : this.node(id);
    });
  }

  async listEntities(options: { kind?: string; after?: RefString; offset?: number; limit?: number }): Promise<{ nodes: GraphNode[]; total: number }> {
    const { refs, kinds, rows } = this.index;
    const [first, last] = options.kind === undefined ? [0, refs.length] : (kinds.get(options.kind.toLowerCase()) ?? [0, 0]);
    const total = last - first;
    const from = options.after === undefined ? first : Math.max(first, rows.idAfter(options.after));
    const start = from + Math.max(0, options.offset ?? 0);
    const end = Math.min(last, start + Math.max(0, options.limit ?? total));
    const nodes: GraphNode[] = [];
    for (let id = start; id < end; id++) nodes.push(this.node(id));
    return { nodes, total };
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

  /** A fresh GraphNode: callers may change it. */
  private node(id: number): GraphNode {
    return nodeAt(this.index, id);
  }

  private idOf(ref: RefString): number | undefined {
    const normalized = normalizeRef(ref);
    return normalized === undefined ? undefined : this.index.ids.get(normalized);
  }
}

const nodeAt = (index: GraphIndex, id: number): GraphNode => {
  const { facts, file } = index.factsAt(id);
  return nodeFromFacts(index.refs[id], facts, file, index.commits[id], index.owners[id]);
};

/** Gives each node of `index` equal in content to its node in `previous` the previous commit. */
function keepUnchangedCommits(index: GraphIndex, previous: GraphIndex): void {
  for (let id = 0; id < index.refs.length; id++) {
    const before = previous.ids.get(index.refs[id]);
    if (before === undefined) continue;
    const same =
      (index.owners[id] === previous.owners[before] && index.sameSource(id, previous, before)) ||
      sameNodeContent(nodeAt(previous, before), nodeAt(index, id));
    if (same) index.commits[id] = previous.commits[before];
  }
}
