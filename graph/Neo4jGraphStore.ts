import neo4j from 'neo4j-driver';
import { normalizeRef } from '../catalog/refs.ts';
import type { RefString, RelationType, Snapshot } from '../catalog/types.ts';
import { CmdbError } from '../core/errors.ts';
import { fetchBfsSubgraph, fetchPathSubgraph, type ExpandFrontier } from './bfsFetch.ts';
import { csrFromPairs } from './csr.ts';
import { digraphImpact, digraphShortestPath, rankRefs } from './digraph.ts';
import { assertDiffBase, diffGraphs, snapshotEdges, snapshotNodes } from './graphDiff.ts';
import type { Direction, GraphNode, GraphStore, ImpactOptions, ImpactResult, Neighbour, PathOptions } from './GraphStore.ts';
import { BatchWriter } from './neo4jBatches.ts';
import { Neo4jClient, toNumber, type Neo4jClientOptions, type Run } from './neo4jClient.ts';
import {
  COUNT_ALL, COUNT_KIND, CYCLE_CANDIDATE_EDGES, GET_ENTITIES, GET_ENTITY, NEIGHBOURS, PAGE_ALL, PAGE_KIND, PING, READ_MARKER, SCHEMA, WRITE_MARKER,
  impactReach, pathLayer,
} from './neo4jCypher.ts';
import { MARKER_ID, graphNodeOf, relationOfType, relationshipTypes } from './neo4jModel.ts';
import { cyclicComponents } from './traversal.ts';

export interface Neo4jGraphStoreOptions extends Neo4jClientOptions {
  /** Rows per write transaction (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /** Write transactions in flight at once during load() (default DEFAULT_WRITE_CONCURRENCY, one after the other). */
  writeConcurrency?: number;
  /** For tests only: each load()/applyDiff() fails after this many write batches, as a crash would. */
  failAfterBatches?: number;
  /** BFS layers fetched per query by impact() (default DEFAULT_IMPACT_HOPS). */
  impactHops?: number;
}

/**
 * BFS layers per impact() query: all of them, so that an impact takes one
 * round trip. (shortestPath() searches from both ends, a layer per query.)
 */
export const DEFAULT_IMPACT_HOPS = Infinity;

/** Rows per UNWIND write batch; see docs/graph-model.md for the measurements behind it. */
export const DEFAULT_BATCH_SIZE = 5_000;

/**
 * Write transactions in flight at once during load(). One: with two
 * (disjointRounds) the full sync measured slower on the 2-core benchmark
 * machine; see docs/graph-model.md.
 */
export const DEFAULT_WRITE_CONCURRENCY = 1;

/** The marker node's state: `pending` (and `pendingBase` for a diff) while a sync runs or after it was cut short. */
interface SyncMarker {
  commit?: string;
  pending?: string;
  pendingBase?: string;
}

/**
 * GraphStore in Neo4j (model: docs/graph-model.md). Queries are parameterised
 * Cypher. Traversals fetch the part of the graph a search looks at (impact:
 * the whole reach in one query; shortestPath: one layer per query from both
 * ends) and finish with the same TypeScript traversal as InMemoryGraphStore,
 * so answers are identical, tie-breaks included.
 *
 * Sync: load() deletes every entity and creates the snapshot's (CREATE,
 * relationships by the element ids of the nodes it just made, optionally
 * several transactions at a time); applyDiff() writes only the differences (MERGE,
 * DELETE of what matches), one transaction at a time. Both write in batches of
 * one transaction each, with the CmdbSync marker set to `pending` first
 * (load() also clears its `commit`) and moved to the new commit last.
 * A sync cut short is repaired by the next one: applyDiff() to the same head
 * from the same base re-applies the (idempotent) diff; anything else rebuilds
 * with load(head).
 *
 * Connection failures and refused credentials surface as CmdbError
 * `graph-store` from the first operation; healthy() answers false instead.
 */
export class Neo4jGraphStore implements GraphStore {
  readonly name: string;
  private readonly client: Neo4jClient;
  private readonly batchSize: number;
  private readonly writeConcurrency: number;
  private readonly failAfterBatches: number | undefined;
  private readonly impactHops: number;
  private schema: Promise<void> | undefined;
  private closed = false;

  constructor(options: Neo4jGraphStoreOptions) {
    this.name = `neo4j ${options.uri}`;
    this.client = new Neo4jClient(options);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.writeConcurrency = Math.max(1, Math.floor(options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY));
    this.failAfterBatches = options.failAfterBatches;
    this.impactHops = options.impactHops ?? DEFAULT_IMPACT_HOPS;
  }

  async load(snapshot: Snapshot): Promise<void> {
    await this.ensureSchema();
    await this.writeMarker({ pending: snapshot.commit });
    const writer = this.writer();
    await writer.deleteAllEntities();
    const created = await writer.createNodes(snapshotNodes(snapshot)); // CREATE: nothing is left to merge with; a rerun deletes first
    await writer.createEdges([...snapshotEdges(snapshot).values()], created);
    await this.writeMarker({ commit: snapshot.commit });
  }

  async applyDiff(base: Snapshot, head: Snapshot): Promise<void> {
    await this.ensureSchema();
    const marker = await this.readMarker();
    if (marker.pending !== undefined && !resumesDiff(marker, base, head)) return this.load(head);
    assertDiffBase(this.name, marker.commit, base, head);
    const diff = diffGraphs(base, head);
    await this.writeMarker({ commit: base.commit, pending: head.commit, pendingBase: base.commit });
    const writer = this.writer();
    await writer.deleteEdges(diff.removedEdges);
    await writer.deleteNodes(diff.removedNodes);
    await writer.upsertNodes(diff.upsertNodes);
    await writer.upsertEdges(diff.upsertEdges);
    await this.writeMarker({ commit: head.commit });
  }

  async commit(): Promise<string | undefined> {
    this.assertOpen();
    return (await this.readMarker()).commit;
  }

  async getEntity(ref: RefString): Promise<GraphNode | undefined> {
    const normalized = normalizeRef(ref);
    if (normalized === undefined) return undefined;
    const records = await this.read((run) => run(GET_ENTITY, { ref: normalized }));
    return records.length === 0 ? undefined : graphNodeOf(records[0].get('node'));
  }

  /** One query for all the refs (UNWIND over the ref index). */
  async getEntities(refs: readonly RefString[]): Promise<Array<GraphNode | undefined>> {
    const normalized = refs.map((ref) => normalizeRef(ref));
    const wanted = [...new Set(normalized.filter((r): r is RefString => r !== undefined))];
    if (wanted.length === 0) return refs.map(() => undefined);
    const records = await this.read((run) => run(GET_ENTITIES, { refs: wanted }));
    const found = new Map<RefString, GraphNode>(records.map((r) => [r.get('ref') as RefString, graphNodeOf(r.get('node'))]));
    // A copy per position: changing one answer changes neither the store nor another answer.
    return normalized.map((ref, i) => {
      const node = ref === undefined ? undefined : found.get(ref);
      return node && normalized.indexOf(ref) !== i ? structuredClone(node) : node;
    });
  }

  async listEntities(options: { kind?: string; after?: RefString; offset?: number; limit?: number }): Promise<{ nodes: GraphNode[]; total: number }> {
    const prefix = options.kind === undefined ? undefined : `${options.kind.toLowerCase()}:`;
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    return this.read(async (run) => {
      const total = toNumber((await run(prefix === undefined ? COUNT_ALL : COUNT_KIND, { prefix }))[0].get('total'));
      const limit = Math.min(total - offset, Math.max(0, Math.floor(options.limit ?? total)));
      if (limit <= 0) return { nodes: [], total };
      const params = { prefix, after: options.after ?? '', offset: neo4j.int(offset), limit: neo4j.int(limit) };
      const records = await run(prefix === undefined ? PAGE_ALL : PAGE_KIND, params);
      return { nodes: records.map((r) => graphNodeOf(r.get('node'))), total };
    });
  }

  async neighbours(ref: RefString, options: { direction?: Direction; relations?: readonly RelationType[] } = {}): Promise<Neighbour[]> {
    const normalized = normalizeRef(ref);
    const types = relationshipTypes(options.relations);
    if (normalized === undefined || types.length === 0) return this.nothing([]);
    const records = await this.read((run) => run(NEIGHBOURS[options.direction ?? 'both'], { ref: normalized, types }));
    const found: Neighbour[] = [];
    for (const r of records) {
      const relation = relationOfType(r.get('type'));
      if (relation !== undefined) found.push({ ref: r.get('ref'), relation, direction: r.get('direction') });
    }
    return found.sort(compareNeighbours);
  }

  async impact(roots: readonly RefString[], options: ImpactOptions = {}): Promise<ImpactResult> {
    const normalized = roots.map((r) => normalizeRef(r)).filter((r) => r !== undefined);
    if (normalized.length === 0) return this.nothing({ roots: [], entities: [] });
    const expand = expander((hops) => impactReach(hops - 1));
    const graph = await this.read((run) => fetchBfsSubgraph(normalized, expand(run), { maxDistance: options.depth, hops: this.impactHops }));
    return digraphImpact(graph, normalized, options);
  }

  async shortestPath(from: RefString, to: RefString, options: PathOptions = {}): Promise<RefString[] | null> {
    const s = normalizeRef(from);
    const d = normalizeRef(to);
    if (s === undefined || d === undefined) return this.nothing(null);
    if (s === d) return (await this.getEntity(s)) ? [s] : null;
    const types = relationshipTypes(options.relations);
    if (types.length === 0) return this.nothing(null);
    const direction = options.direction ?? 'both';
    const forward = expander(() => pathLayer(types, direction));
    const backward = expander(() => pathLayer(types, direction === 'out' ? 'in' : 'both'));
    const graph = await this.read((run) => fetchPathSubgraph(s, d, forward(run), backward(run)));
    return digraphShortestPath(graph, s, d);
  }

  async dependencyCycles(): Promise<RefString[][]> {
    const records = await this.read((run) => run(CYCLE_CANDIDATE_EDGES));
    const sources: RefString[] = [];
    const targets: RefString[] = [];
    for (const record of records) {
      const source: RefString = record.get('source');
      for (const target of record.get('targets') as RefString[]) {
        sources.push(source);
        targets.push(target);
      }
    }
    const { refs, ids } = rankRefs([...sources, ...targets]);
    const from = sources.map((ref) => ids.get(ref)!);
    const to = targets.map((ref) => ids.get(ref)!);
    const components = cyclicComponents(csrFromPairs(refs.length, from, to, from.length));
    return components.map((c) => c.map((id) => refs[id]));
  }

  async healthy(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await this.client.read((run) => run(PING));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new CmdbError(`the graph store ${this.name} is closed`, { code: 'graph-store' });
  }

  /** An answer that needs no query (still an error on a closed store). */
  private async nothing<T>(value: T): Promise<T> {
    this.assertOpen();
    return value;
  }

  private read<T>(work: (run: Run) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.client.read(work);
  }

  /**
   * Creates the schema (constraints, and waits for their indexes) if it is
   * missing; once per store object (again after a failure). Every sync calls
   * it first. On a store seeded by bulk import (writeNeo4jImport), which has
   * no schema, the first call builds the ref index over every node.
   */
  async ensureSchema(): Promise<void> {
    this.assertOpen();
    this.schema ??= this.createSchema().catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    await this.schema;
  }

  private async createSchema(): Promise<void> {
    for (const statement of SCHEMA) await this.client.write(statement);
  }

  private writer(): BatchWriter {
    return new BatchWriter({ client: this.client, batchSize: this.batchSize, concurrency: this.writeConcurrency, failAfterBatches: this.failAfterBatches });
  }

  private async readMarker(): Promise<SyncMarker> {
    const [record] = await this.client.read((run) => run(READ_MARKER, { id: MARKER_ID }));
    if (record === undefined) return {};
    const value = (key: string): string | undefined => record.get(key) ?? undefined;
    return { commit: value('commit'), pending: value('pending'), pendingBase: value('pendingBase') };
  }

  private async writeMarker(marker: SyncMarker): Promise<void> {
    const { commit = null, pending = null, pendingBase = null } = marker;
    await this.client.write(WRITE_MARKER, { id: MARKER_ID, commit, pending, pendingBase });
  }
}

/** Whether a pending sync is this very diff, cut short: then it is re-applied rather than rebuilt. */
const resumesDiff = (marker: SyncMarker, base: Snapshot, head: Snapshot): boolean =>
  marker.pending === head.commit && marker.pendingBase === base.commit && marker.commit === base.commit;

/** An ExpandFrontier running the query for a number of layers ($refs -> rows ref, next). */
function expander(query: (hops: number) => string): (run: Run) => ExpandFrontier {
  return (run) => async (frontier, hops) =>
    (await run(query(hops), { refs: frontier })).map((r) => [r.get('ref') as RefString, r.get('next') as RefString[]] as const);
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** GraphStore.neighbours order: relation, `in` before `out`, ref. */
const compareNeighbours = (a: Neighbour, b: Neighbour): number =>
  compareStrings(a.relation, b.relation) || compareStrings(a.direction, b.direction) || compareStrings(a.ref, b.ref);
