import neo4j from 'neo4j-driver';
import { RELATIONSHIP_TYPE } from '../catalog/relations.ts';
import { CmdbError } from '../core/errors.ts';
import type { RefString } from '../catalog/types.ts';
import type { GraphEdge } from './graphDiff.ts';
import type { GraphNode } from './GraphStore.ts';
import { toNumber, type Neo4jClient } from './neo4jClient.ts';
import { DELETE_NODES, DELETE_SOME_ENTITIES, createEdges, createNodes, deleteEdges, upsertEdges, upsertNodes } from './neo4jCypher.ts';
import { kindLabel, nodeProperties } from './neo4jModel.ts';

export interface BatchWriterOptions {
  client: Neo4jClient;
  /** Rows per statement, each statement its own transaction. */
  batchSize: number;
  /** For tests: throw instead of running the batch after this many, as a crash would. */
  failAfterBatches?: number;
}

/**
 * Writes rows in batches of `UNWIND $rows`, each batch one transaction. Every
 * statement is idempotent (MERGE, or DELETE of what matches), so a sync cut
 * short can be run again.
 */
export class BatchWriter {
  /** Batches written so far. */
  count = 0;
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

  /** Creates nodes, grouped by label: only for a graph without entities (load). */
  async createNodes(nodes: readonly GraphNode[]): Promise<void> {
    for (const [label, group] of groupBy(nodes, (n) => kindLabel(n.kind))) {
      await this.runAll(createNodes(label), group.map((n) => ({ props: nodeProperties(n) })));
    }
  }

  /** Creates edges between existing nodes, grouped by type: only for a graph without edges (load). */
  async createEdges(edges: readonly GraphEdge[]): Promise<void> {
    for (const [type, group] of groupBy(edges, (e) => RELATIONSHIP_TYPE[e.type])) {
      await this.runAll(createEdges(type), group.map((e) => ({ source: e.source, target: e.target, field: e.field })));
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
    const size = this.options.batchSize;
    for (let i = 0; i < rows.length; i += size) await this.run(query, { rows: rows.slice(i, i + size) });
  }

  private async run(query: string, params: Record<string, unknown>) {
    const { failAfterBatches, client } = this.options;
    if (failAfterBatches !== undefined && this.count >= failAfterBatches) {
      throw new CmdbError(`Neo4j at ${client.uri}: simulated crash after ${failAfterBatches} write batches (failAfterBatches)`, { code: 'graph-store' });
    }
    const records = await client.write(query, params);
    this.count++;
    return records;
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
