/**
 * For test files that write the graph of the test Neo4j (tests/infra): the
 * Community edition has one database, and vitest runs files in parallel, so
 * such files take a lock for their whole run (a folder in the OS temp dir,
 * per URI) and start and end with no Entity or CmdbSync node.
 *
 *   const neo4j = useSharedNeo4j();   // in a describe block or at top level
 *   ... neo4j.uri(), await neo4j.clear(), await neo4j.dump()
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4jDriver, { type Driver } from 'neo4j-driver';
import { afterAll, beforeAll } from 'vitest';
import { requireNeo4j } from '../infra/neo4j-test-env.ts';

const LOCK_WAIT_MS = 15 * 60_000;

export interface SharedNeo4j {
  /** The bolt URI (available from beforeAll on). */
  uri(): string;
  /** Deletes every Entity and CmdbSync node with their relationships. */
  clear(): Promise<void>;
  /** Every Entity and CmdbSync node and every relationship between them, as sorted JSON-able values. */
  dump(): Promise<GraphDump>;
  /** A driver of the file (closed after the file). */
  driver(): Driver;
}

export interface GraphDump {
  nodes: { labels: string[]; properties: Record<string, unknown> }[];
  relationships: { type: string; source: string; target: string; properties: Record<string, unknown> }[];
}

export function useSharedNeo4j(): SharedNeo4j {
  let uri = '';
  let driver: Driver | undefined;
  let release: (() => Promise<void>) | undefined;
  const shared: SharedNeo4j = {
    uri: () => uri,
    driver: () => driver!,
    clear: () => clearGraph(driver!),
    dump: () => dumpGraph(driver!),
  };
  beforeAll(async () => {
    uri = requireNeo4j();
    release = await lock(uri);
    driver = neo4jDriver.driver(uri, undefined, { disableLosslessIntegers: true });
    await shared.clear();
  }, LOCK_WAIT_MS + 60_000);
  afterAll(async () => {
    try {
      if (driver) await shared.clear();
    } finally {
      await driver?.close();
      await release?.();
    }
  });
  return shared;
}

async function clearGraph(driver: Driver): Promise<void> {
  for (;;) {
    const { records } = await driver.executeQuery(
      'MATCH (n) WHERE n:Entity OR n:CmdbSync WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS deleted',
    );
    if (Number(records[0]?.get('deleted') ?? 0) === 0) return;
  }
}

/** Every Entity and CmdbSync node and every relationship between them, sorted (SharedNeo4j.dump, for any driver). */
export async function dumpGraph(driver: Driver): Promise<GraphDump> {
  const nodes = await driver.executeQuery(
    'MATCH (n) WHERE n:Entity OR n:CmdbSync RETURN labels(n) AS labels, properties(n) AS properties',
  );
  const rels = await driver.executeQuery(
    'MATCH (a)-[r]->(b) WHERE (a:Entity OR a:CmdbSync) AND (b:Entity OR b:CmdbSync) ' +
      'RETURN type(r) AS type, a.ref AS source, b.ref AS target, properties(r) AS properties',
  );
  const key = (value: unknown): string => JSON.stringify(value);
  return {
    nodes: nodes.records
      .map((r) => ({ labels: [...(r.get('labels') as string[])].sort(), properties: sortKeys(r.get('properties')) }))
      .sort((a, b) => compare(key(a), key(b))),
    relationships: rels.records
      .map((r) => ({ type: r.get('type'), source: r.get('source'), target: r.get('target'), properties: sortKeys(r.get('properties')) }))
      .sort((a, b) => compare(key(a), key(b))),
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortKeys(map: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => compare(a, b)));
}

/** Waits for and takes the lock of a URI; resolves to its release. A lock whose owner died is broken. */
async function lock(uri: string): Promise<() => Promise<void>> {
  const dir = join(tmpdir(), `gitops-cmdb-neo4j-${createHash('sha256').update(uri).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, 'owner'), String(process.pid));
      return () => rm(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await ownerIsGone(dir)) await rm(dir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`the test Neo4j at ${uri} stayed locked (${dir}) for ${LOCK_WAIT_MS} ms`);
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function ownerIsGone(dir: string): Promise<boolean> {
  const text = await readFile(join(dir, 'owner'), 'utf8').catch(() => undefined);
  if (text === undefined) {
    const info = await stat(dir).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > 10_000; // else being created
  }
  try {
    process.kill(Number(text), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
