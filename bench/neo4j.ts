/**
 * Neo4jGraphStore against InMemoryGraphStore on the same snapshots: full sync
 * into an empty database, incremental sync (applyDiff base -> head), and the
 * latency of impact() from random roots, checked to give identical answers.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { snapshotFromObjects } from '../catalog/table/snapshotFromObjects.ts';
import type { RefString, Snapshot } from '../catalog/types.ts';
import { diffGraphs, snapshotEdges } from '../graph/graphDiff.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import { DEFAULT_BATCH_SIZE, Neo4jGraphStore } from '../graph/Neo4jGraphStore.ts';
import { writeNeo4jImport } from '../graph/neo4jImport.ts';
import { DEFAULT_JAVA_OPTS } from '../tests/infra/neo4j.ts';
import { createRandom } from './random.ts';
import { summarize, type Summary } from './stats.ts';

/**
 * JVM options for a benchmark's Neo4j (startNeo4j({ javaOpts })): the test
 * defaults trade throughput for a fast start (C1 only, serial GC, 2 GB heap);
 * measured on the 100k catalog they make the full sync ~2.5x and impact ~2x
 * slower. These keep the rest and let the JIT and G1 run normally.
 */
export const BENCH_NEO4J_JAVA_OPTS: readonly string[] = [
  ...DEFAULT_JAVA_OPTS.filter((o) => !['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'].includes(o) && !o.startsWith('-Xm')),
  '-Xms2g',
  '-Xmx4g',
];

export interface BenchNeo4jOptions {
  /** A Neo4j whose Entity and CmdbSync nodes the benchmark may delete. */
  uri: string;
  user?: string;
  password?: string;
  database?: string;
  base: Snapshot;
  head: Snapshot;
  /** Impact roots drawn from head's entities (default 200). */
  roots?: number;
  /** Impact queries run on both stores before timing (default 20). */
  warmup?: number;
  /** Rows per write transaction (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  seed?: number;
}

export interface BenchNeo4jResult {
  entities: number;
  /** Distinct relations between entities of base (relationships written by the full sync). */
  relationships: number;
  batchSize: number;
  /** load(base) into a database without entities (ms). */
  fullSyncMs: number;
  /** applyDiff(base, head), diff computation included (ms). */
  incrementalSyncMs: number;
  /** Of which computing the diff (ms). */
  diffMs: number;
  diff: { upsertNodes: number; removedNodes: number; upsertEdges: number; removedEdges: number };
  impact: {
    roots: number;
    neo4j: Summary;
    memory: Summary;
    /** Entities reached per root. */
    reached: Summary;
    /** neo4j p50 / memory p50. */
    ratioP50: number;
    /** Roots whose answers differ between the stores (must be 0). */
    mismatches: number;
  };
}

/** Runs the benchmark; leaves head loaded in Neo4j. */
export async function benchNeo4j(options: BenchNeo4jOptions): Promise<BenchNeo4jResult> {
  const { base, head } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const store = new Neo4jGraphStore({ uri: options.uri, user: options.user, password: options.password, database: options.database, batchSize });
  try {
    const fullSyncMs = await fullSync(store, base);
    const diffStarted = performance.now();
    const diff = diffGraphs(base, head);
    const diffMs = performance.now() - diffStarted;
    const incrementalSyncMs = await time(() => store.applyDiff(base, head));
    const memory = new InMemoryGraphStore({ snapshot: base });
    await memory.applyDiff(base, head);
    const impact = await compareImpact(store, memory, pickRoots(head, options.roots ?? 200, options.seed ?? 1), options.warmup ?? 20);
    return {
      entities: base.entities.size,
      relationships: snapshotEdges(base).size,
      batchSize,
      fullSyncMs,
      incrementalSyncMs,
      diffMs,
      diff: { upsertNodes: diff.upsertNodes.length, removedNodes: diff.removedNodes.length, upsertEdges: diff.upsertEdges.length, removedEdges: diff.removedEdges.length },
      impact,
    };
  } finally {
    await store.close();
  }
}

/**
 * One full sync of `base` into a database without entities (ms), as
 * benchNeo4j() measures it: on a Neo4j just started, the first one is the
 * cold figure a new database sees.
 */
export async function benchFullSync(options: Pick<BenchNeo4jOptions, 'uri' | 'user' | 'password' | 'database' | 'base' | 'batchSize'>): Promise<number> {
  const { uri, user, password, database, batchSize } = options;
  const store = new Neo4jGraphStore({ uri, user, password, database, batchSize });
  try {
    return await fullSync(store, options.base);
  } finally {
    await store.close();
  }
}

async function fullSync(store: Neo4jGraphStore, base: Snapshot): Promise<number> {
  await store.load(emptySnapshot('empty'));
  return time(() => store.load(base));
}

export interface BenchSeedResult {
  entities: number;
  relationships: number;
  /** writeNeo4jImport(base): the CSV files and import.args (ms). */
  exportMs: number;
  /** neo4j-admin database import full, its JVM start included (ms). */
  importMs: number;
  /** The first ensureSchema() on the seeded store: the uniqueness constraint and its ref index over every node (ms). */
  schemaMs: number;
  /** exportMs + importMs + schemaMs: from the catalog to a graph synced and indexed. */
  seedMs: number;
  /** Starting Neo4j on the imported store, and on an empty one just before (ms; both paths pay a start). */
  startMs: { seeded: number; empty: number };
  /** The marker's commit after the import equals base's. */
  markerAtBase: boolean;
  /** applyDiff(base, head) on the seeded store: incremental, from the imported marker (ms). */
  incrementalSyncMs: number;
  /** impact() of the same roots on the seeded store (after the incremental sync) and in memory. */
  impact: BenchNeo4jResult['impact'];
}

/**
 * Seeding an empty Neo4j by bulk import instead of load(): export base's
 * graph (writeNeo4jImport), run Neo4j's own loader into a new store, start
 * Neo4j on it, create the schema; then sync to head incrementally and check
 * impact() against memory on the same roots as benchNeo4j.
 */
export async function benchSeed(options: Pick<BenchNeo4jOptions, 'base' | 'head' | 'roots' | 'warmup' | 'seed'> & { workDir: string }): Promise<BenchSeedResult> {
  const { base, head } = options;
  const { importNeo4jStore, startNeo4j } = await import('../tests/infra/neo4j.ts');
  const exportDir = join(options.workDir, `seed-${process.pid}-${Date.now()}`);
  await rm(exportDir, { recursive: true, force: true });
  let imported: Awaited<ReturnType<typeof importNeo4jStore>> | undefined;
  try {
    let started = performance.now();
    const exported = await writeNeo4jImport(base, exportDir);
    const exportMs = performance.now() - started;
    started = performance.now();
    imported = await importNeo4jStore(exported.argsFile);
    const importMs = performance.now() - started;
    started = performance.now();
    const empty = await startNeo4j({ javaOpts: BENCH_NEO4J_JAVA_OPTS });
    const emptyStartMs = performance.now() - started;
    await empty.stop();
    started = performance.now();
    const server = await startNeo4j({ javaOpts: BENCH_NEO4J_JAVA_OPTS, copyFrom: imported.home });
    const seededStartMs = performance.now() - started;
    const store = new Neo4jGraphStore({ uri: server.uri });
    try {
      const schemaMs = await time(() => store.ensureSchema());
      const markerAtBase = (await store.commit()) === base.commit;
      const incrementalSyncMs = await time(() => store.applyDiff(base, head));
      const memory = new InMemoryGraphStore({ snapshot: base });
      await memory.applyDiff(base, head);
      const impact = await compareImpact(store, memory, pickRoots(head, options.roots ?? 200, options.seed ?? 1), options.warmup ?? 20);
      return {
        entities: exported.nodes,
        relationships: exported.relationships,
        exportMs,
        importMs,
        schemaMs,
        seedMs: exportMs + importMs + schemaMs,
        startMs: { seeded: seededStartMs, empty: emptyStartMs },
        markerAtBase,
        incrementalSyncMs,
        impact,
      };
    } finally {
      await store.close();
      await server.stop();
    }
  } finally {
    await imported?.remove();
    await rm(exportDir, { recursive: true, force: true });
  }
}

/** Times impact() of each root on both stores, alternating, after `warmup` untimed rounds. */
async function compareImpact(neo4j: GraphStore, memory: GraphStore, roots: RefString[], warmup: number): Promise<BenchNeo4jResult['impact']> {
  for (const root of roots.slice(0, warmup)) {
    await neo4j.impact([root]);
    await memory.impact([root]);
  }
  const neo4jMs: number[] = [];
  const memoryMs: number[] = [];
  const reached: number[] = [];
  let mismatches = 0;
  for (const root of roots) {
    let started = performance.now();
    const fromNeo4j = await neo4j.impact([root]);
    neo4jMs.push(performance.now() - started);
    started = performance.now();
    const fromMemory = await memory.impact([root]);
    memoryMs.push(performance.now() - started);
    reached.push(fromMemory.entities.length);
    if (JSON.stringify(fromNeo4j) !== JSON.stringify(fromMemory)) mismatches++;
  }
  const neo4jSummary = summarize(neo4jMs);
  const memorySummary = summarize(memoryMs);
  return { roots: roots.length, neo4j: neo4jSummary, memory: memorySummary, reached: summarize(reached), ratioP50: neo4jSummary.p50 / memorySummary.p50, mismatches };
}

function pickRoots(snapshot: Snapshot, count: number, seed: number): RefString[] {
  const refs = [...snapshot.entities.keys()];
  const random = createRandom(seed);
  return Array.from({ length: count }, () => refs[random.int(refs.length)]);
}

function emptySnapshot(commit: string): Snapshot {
  return snapshotFromObjects({ commit });
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}
