import neo4j from 'neo4j-driver';
import { RELATIONSHIP_TYPE } from '../catalog/relations.ts';
import { CmdbError } from '../core/errors.ts';
import type { RefString } from '../catalog/types.ts';
import type { GraphEdge } from './graphDiff.ts';
import type { GraphNode } from './GraphStore.ts';
import { toNumber, type Neo4jClient } from './neo4jClient.ts';
import { DELETE_NODES, DELETE_SOME_ENTITIES, createEdges, createNodes, deleteEdges, upsertEdges, upsertNodes } from './neo4jCypher.ts';
import { groupBy, kindLabel, nodeProperties } from './neo4jModel.ts';
import { disjointRounds, runLimited } from './neo4jParallel.ts';

export interface BatchWriterOptions {
  client: Neo4jClient;
  /** Rows per statement, each statement its own transaction. */
  batchSize: number;
  /** Write transactions in flight at once when creating (load); 1 writes one after the other. */
  concurrency: number;
  /** For tests: throw instead of running the batch after this many, as a crash would. */
  failAfterBatches?: number;
}

/** Element id of each node createNodes() made, and its part for disjointRounds(). */
export type CreatedNodes = Map<RefString, { id: string; part: number }>;

/**
 * Writes rows in batches of `UNWIND $rows`, each batch one transaction. The
 * statements of applyDiff are idempotent (MERGE, or DELETE of what matches),
 * so a sync cut short can be run again; those of load (CREATE) run on a graph
 * load() has emptied first, so a load cut short is redone from the start.
 */
export class BatchWriter {
  /** Batches started so far. */
  count = 0;
  /** Batches run again after Neo4j detected a deadlock and rolled them back. */
  deadlocks = 0;
  private readonly options: BatchWriterOptions;

  constructor(options: BatchWriterOptions) {
    this.options = options;
  }

  /** Upserts nodes (all properties replaced, kind label added), grouped by label. */
  async upsertNodes(nodes: readonly GraphNode[]): Promise<void> {
    for (const [label, group] of groupBy(nodes, (n) => kindLabel(n.kind))) {
      await this.runAll(upsertNodes(label), group.map((n) => ({ ref: n.ref, props: nodeProperties(n) })));
    }
  }

  /**
   * Creates nodes, grouped by label, `concurrency` batches at a time (new
   * nodes share no lock): only for a graph without entities (load).
   */
  async createNodes(nodes: readonly GraphNode[]): Promise<CreatedNodes> {
    const created: CreatedNodes = new Map();
    const parts = this.parts();
    const jobs: Array<() => Promise<void>> = [];
    for (const [label, group] of groupBy(nodes, (n) => kindLabel(n.kind))) {
      for (const rows of this.chunks(group.map(nodeProperties))) {
        jobs.push(async () => {
          const [record] = await this.run(createNodes(label), { rows });
          const refs: RefString[] = record.get('refs');
          const ids: string[] = record.get('ids');
          refs.forEach((ref, i) => created.set(ref, { id: ids[i], part: created.size % parts }));
        });
      }
    }
    await runLimited(jobs, this.options.concurrency);
    return created;
  }

  /**
   * Creates edges between the nodes createNodes() made, grouped by type: only
   * for a graph without edges (load). `concurrency` transactions at a time that
   * never share a node (disjointRounds), so that they cannot deadlock.
   */
  async createEdges(edges: readonly GraphEdge[], nodes: CreatedNodes): Promise<void> {
    const node = (ref: RefString) => {
      const found = nodes.get(ref);
      if (found === undefined) throw new CmdbError(`Neo4j at ${this.options.client.uri}: edge to ${ref}, a node this load did not create`, { code: 'graph-store' });
      return found;
    };
    const rounds = this.options.concurrency === 1 ? [[edges]] : disjointRounds(edges, (e) => [node(e.source).part, node(e.target).part], this.parts());
    for (const round of rounds) {
      await runLimited(
        round.map((group) => async () => {
          for (const [type, ofType] of groupBy(group, (e) => RELATIONSHIP_TYPE[e.type])) {
            for (const rows of this.chunks(ofType.map((e) => [node(e.source).id, node(e.target).id, e.field]))) {
              const [record] = await this.run(createEdges(type), { rows });
              const created = toNumber(record?.get('created') ?? 0);
              // Fewer only if a node went missing: someone else wrote the graph during this load.
              if (created !== rows.length) {
                throw new CmdbError(`Neo4j at ${this.options.client.uri}: created ${created} of ${rows.length} relationships: the graph changed during the load`, { code: 'graph-store' });
              }
            }
          }
        }),
        this.options.concurrency,
      );
    }
  }

  /** Deletes nodes and their relationships. */
  async deleteNodes(refs: readonly RefString[]): Promise<void> {
    await this.runAll(DELETE_NODES, refs);
  }

  /** Creates edges between existing nodes or updates their field, grouped by relationship type. */
  async upsertEdges(edges: readonly GraphEdge[]): Promise<void> {
    for (const [type, group] of groupBy(edges, (e) => RELATIONSHIP_TYPE[e.type])) {
      await this.runAll(upsertEdges(type), group.map((e) => ({ source: e.source, target: e.target, field: e.field })));
    }
  }

  async deleteEdges(edges: readonly GraphEdge[]): Promise<void> {
    for (const [type, group] of groupBy(edges, (e) => RELATIONSHIP_TYPE[e.type])) {
      await this.runAll(deleteEdges(type), group.map((e) => ({ source: e.source, target: e.target })));
    }
  }

  /** Deletes every Entity node, batchSize nodes (with their relationships) per transaction. */
  async deleteAllEntities(): Promise<void> {
    const limit = neo4j.int(this.options.batchSize);
    for (;;) {
      const records = await this.run(DELETE_SOME_ENTITIES, { limit });
      if (toNumber(records[0]?.get('deleted') ?? 0) < this.options.batchSize) return;
    }
  }

  private async runAll(query: string, rows: readonly unknown[]): Promise<void> {
    for (const chunk of this.chunks(rows)) await this.run(query, { rows: chunk });
  }

  private chunks<T>(rows: readonly T[]): T[][] {
    const size = this.options.batchSize;
    return Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
  }

  /** Parts of the nodes for disjointRounds(): twice the concurrency, so that each round has work for every transaction. */
  private parts(): number {
    return 2 * this.options.concurrency;
  }

  private async run(query: string, params: Record<string, unknown>) {
    const { failAfterBatches, client } = this.options;
    if (failAfterBatches !== undefined && this.count >= failAfterBatches) {
      throw new CmdbError(`Neo4j at ${client.uri}: simulated crash after ${failAfterBatches} write batches (failAfterBatches)`, { code: 'graph-store' });
    }
    this.count++;
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.write(query, params);
      } catch (error) {
        if (!isDeadlock(error) || attempt >= MAX_DEADLOCK_ATTEMPTS) throw error;
        this.deadlocks++;
      }
    }
  }
}

/**
 * Attempts of a batch that Neo4j keeps rolling back for deadlocks. Running it
 * again is safe: a transaction ended by a deadlock left nothing behind.
 */
const MAX_DEADLOCK_ATTEMPTS = 10;

const DEADLOCK = 'Neo.TransientError.Transaction.DeadlockDetected';

/** Whether a write failed on a deadlock (Neo4jClient wraps the driver's error as `cause`). */
const isDeadlock = (error: unknown): boolean => (error as { cause?: { code?: unknown } }).cause?.code === DEADLOCK;
