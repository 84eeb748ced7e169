import type { RefString, RelationType, Snapshot } from '../../catalog/types.ts';
import type { Direction, GraphNode, GraphStore, ImpactOptions, ImpactResult, Neighbour, PathOptions } from '../../graph/GraphStore.ts';

/**
 * A read-only GraphStore over another that hands every entity, neighbour and
 * impacted entity it returns to `adopt` (ApiContext.adopt), so that their
 * fields resolve against the commit they were read from.
 */
export class AdoptingStore implements GraphStore {
  readonly name: string;

  constructor(
    private readonly inner: GraphStore,
    private readonly adopt: <T>(value: T) => T,
  ) {
    this.name = inner.name;
  }

  async load(_snapshot: Snapshot): Promise<void> {
    throw new Error('the graph of an older commit is read-only');
  }

  async applyDiff(_base: Snapshot, _head: Snapshot): Promise<void> {
    throw new Error('the graph of an older commit is read-only');
  }

  commit(): Promise<string | undefined> {
    return this.inner.commit();
  }

  async getEntity(ref: RefString): Promise<GraphNode | undefined> {
    return this.adopt(await this.inner.getEntity(ref));
  }

  async getEntities(refs: readonly RefString[]): Promise<Array<GraphNode | undefined>> {
    return (await this.inner.getEntities(refs)).map((node) => this.adopt(node));
  }

  async listEntities(options: { kind?: string; after?: RefString; offset?: number; limit?: number }): Promise<{ nodes: GraphNode[]; total: number }> {
    const result = await this.inner.listEntities(options);
    this.adopt(result.nodes);
    return result;
  }

  async neighbours(ref: RefString, options?: { direction?: Direction; relations?: readonly RelationType[] }): Promise<Neighbour[]> {
    return this.adopt(await this.inner.neighbours(ref, options));
  }

  async impact(roots: readonly RefString[], options?: ImpactOptions): Promise<ImpactResult> {
    const result = await this.inner.impact(roots, options);
    this.adopt(result.entities);
    return result;
  }

  shortestPath(from: RefString, to: RefString, options?: PathOptions): Promise<RefString[] | null> {
    return this.inner.shortestPath(from, to, options);
  }

  dependencyCycles(): Promise<RefString[][]> {
    return this.inner.dependencyCycles();
  }

  healthy(): Promise<boolean> {
    return this.inner.healthy();
  }

  /** The inner store belongs to whoever made it. */
  async close(): Promise<void> {}
}
