import type { RefString, RelationType, Snapshot } from '../catalog/types.ts';
import type { Direction, GraphNode, GraphStore, ImpactOptions, ImpactResult, Neighbour, PathOptions } from './GraphStore.ts';

/**
 * A GraphStore that answers from `primary` (e.g. Neo4j) and, when a primary
 * read fails, from `fallback` (in memory), which holds the last snapshot
 * written. Writes go to both; a failed primary write still updates the
 * fallback (answers stay current while the primary is down), then throws.
 */
export class FailoverGraphStore implements GraphStore {
  readonly name: string;
  /** The last primary failure, cleared by the next primary success. */
  lastFailure?: string;
  private readonly primary: GraphStore;
  private readonly fallback: GraphStore;

  constructor(options: { primary: GraphStore; fallback: GraphStore }) {
    this.primary = options.primary;
    this.fallback = options.fallback;
    this.name = options.primary.name;
  }

  /** Primary, else fallback; an empty fallback answers only `commit()` (`emptyOk`), else the primary's error stands. */
  private async read<T>(query: (store: GraphStore) => Promise<T>, emptyOk = false): Promise<T> {
    try {
      const result = await query(this.primary);
      this.lastFailure = undefined;
      return result;
    } catch (e) {
      this.lastFailure = (e as Error).message;
      if (!emptyOk && (await this.fallback.commit()) === undefined) throw e;
      return query(this.fallback);
    }
  }

  async load(snapshot: Snapshot): Promise<void> {
    try {
      await this.primary.load(snapshot);
    } finally {
      await this.fallback.load(snapshot);
    }
  }

  async applyDiff(base: Snapshot, head: Snapshot): Promise<void> {
    try {
      await this.primary.applyDiff(base, head);
    } finally {
      await this.fallback.load(head);
    }
  }

  /**
   * The primary's commit (it decides what a sync must apply); while the primary
   * is unreachable, the fallback's, so that a sync still refreshes the fallback.
   */
  commit(): Promise<string | undefined> {
    return this.read((s) => s.commit(), true);
  }
  getEntity(ref: RefString): Promise<GraphNode | undefined> {
    return this.read((s) => s.getEntity(ref));
  }
  getEntities(refs: readonly RefString[]): Promise<Array<GraphNode | undefined>> {
    return this.read((s) => s.getEntities(refs));
  }
  listEntities(options: { kind?: string; after?: RefString; offset?: number; limit?: number }) {
    return this.read((s) => s.listEntities(options));
  }
  neighbours(ref: RefString, options?: { direction?: Direction; relations?: readonly RelationType[] }): Promise<Neighbour[]> {
    return this.read((s) => s.neighbours(ref, options));
  }
  impact(roots: readonly RefString[], options?: ImpactOptions): Promise<ImpactResult> {
    return this.read((s) => s.impact(roots, options));
  }
  shortestPath(from: RefString, to: RefString, options?: PathOptions): Promise<RefString[] | null> {
    return this.read((s) => s.shortestPath(from, to, options));
  }
  dependencyCycles(): Promise<RefString[][]> {
    return this.read((s) => s.dependencyCycles());
  }
  /** Healthy when the primary is. */
  healthy(): Promise<boolean> {
    return this.primary.healthy();
  }
  async close(): Promise<void> {
    await Promise.allSettled([this.primary.close(), this.fallback.close()]);
  }
}
