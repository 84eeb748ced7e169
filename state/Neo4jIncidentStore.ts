import neo4j from 'neo4j-driver';
import { CmdbError } from '../core/errors.ts';
import { Neo4jClient, toNumber, type Neo4jClientOptions } from '../graph/neo4jClient.ts';
import type { Incident, IncidentTransaction, Notification, Problem, Signal } from './IncidentRecords.ts';
import { KEPT_IDS } from './FileIncidentStore.ts';
import { applyIncidentTransaction, emptyIncidentState, LoadedIncidentStore, type IncidentStoreState } from './IncidentStore.ts';

/** Node labels, one per kind of record; each node has `key` (store + id, unique), `store`, `id` and the record as JSON in `json`. */
export const INCIDENT_LABELS = {
  signal: 'CmdbSignal',
  incident: 'CmdbIncident',
  problem: 'CmdbProblem',
  notification: 'CmdbNotification',
  delivered: 'CmdbDelivered',
  command: 'CmdbCommand',
} as const;

const SCHEMA = Object.values(INCIDENT_LABELS).map((label) => `CREATE CONSTRAINT ${label.toLowerCase()}_key IF NOT EXISTS FOR (n:${label}) REQUIRE n.key IS UNIQUE`);

const L = INCIDENT_LABELS;
/**
 * One transaction as one statement (one auto-commit transaction: all or
 * nothing), in the order of applyIncidentTransaction. An incident or problem
 * is replaced only by a higher revision; a notification already delivered is
 * not queued again.
 */
/** Puts the records of `$param` (incidents, problems), each replacing only a lower revision. */
const KEEP_HIGHEST_REVISION = (param: string, label: string) => `CALL {
  UNWIND $${param} AS x
  MERGE (n:${label} {key: $store + ' ' + x.id})
  ON CREATE SET n.store = $store, n.id = x.id, n.revision = -1
  WITH n, x WHERE n.revision < x.revision
  SET n.revision = x.revision, n.state = x.state, n.json = x.json
}`;

const COMMIT = `
CALL { UNWIND $signals AS x MERGE (n:${L.signal} {key: $store + ' ' + x.id}) SET n.store = $store, n.id = x.id, n.json = x.json }
CALL { UNWIND $removeSignals AS id MATCH (n:${L.signal} {key: $store + ' ' + id}) DELETE n }
${KEEP_HIGHEST_REVISION('incidents', L.incident)}
${KEEP_HIGHEST_REVISION('problems', L.problem)}
CALL {
  UNWIND $notifications AS x
  OPTIONAL MATCH (d:${L.delivered} {key: $store + ' ' + x.id})
  WITH x WHERE d IS NULL
  MERGE (n:${L.notification} {key: $store + ' ' + x.id}) SET n.store = $store, n.id = x.id, n.json = x.json
}
CALL {
  UNWIND $delivered AS x
  OPTIONAL MATCH (n:${L.notification} {key: $store + ' ' + x.id})
  DELETE n
  MERGE (d:${L.delivered} {key: $store + ' ' + x.id}) ON CREATE SET d.store = $store, d.id = x.id, d.at = x.at
}
CALL { UNWIND $commands AS x MERGE (c:${L.command} {key: $store + ' ' + x.id}) ON CREATE SET c.store = $store, c.id = x.id, c.at = x.at }
RETURN 1 AS done`;

/** Forgets all but the newest `$kept` ids of a set (delivered notifications, applied commands), as the file store's compaction does. */
const PRUNE = (label: string) => `MATCH (n:${label}) WHERE n.store = $store WITH n ORDER BY n.at DESC, n.id DESC SKIP $kept DELETE n`;

const LOAD = (label: string) => `MATCH (n:${label}) WHERE n.store = $store RETURN n.id AS id, n.json AS json, n.at AS at ORDER BY coalesce(n.at, 0), n.id`;

export interface Neo4jIncidentStoreOptions extends Neo4jClientOptions {
  /** Which store in the database (several `cmdb serve` may share one Neo4j); default `default`. */
  store?: string;
  /** Only load (the CLI): `commit` is refused. */
  readOnly?: boolean;
  /** Delivered and command ids kept when opened for writing (default KEPT_IDS, as the file store). */
  keptIds?: number;
}

/**
 * IncidentStore in Neo4j, next to the graph: one node per signal, incident,
 * problem, queued notification, delivered notification id and applied command
 * id, keyed by store and id (unique constraints), the record as JSON in
 * `json` (incidents and problems also with `revision` and `state`). Each
 * commit is one write transaction; the revision rule is enforced in Cypher.
 * `open` loads everything (opened for writing, it first forgets all but the
 * newest `keptIds` delivered and command ids); reads are served from what is loaded.
 */
export class Neo4jIncidentStore extends LoadedIncidentStore {
  readonly name: string;
  private readonly client: Neo4jClient;
  private readonly store: string;
  private readonly readOnly: boolean;
  private readonly keptIds: number;
  private opened = false;
  /** The `at` of the last delivered or command id written: ids are ordered by it (one writer, increasing). */
  private lastAt = 0;

  constructor(options: Neo4jIncidentStoreOptions) {
    super();
    this.client = new Neo4jClient(options);
    this.store = options.store ?? 'default';
    this.readOnly = options.readOnly ?? false;
    this.keptIds = options.keptIds ?? KEPT_IDS;
    this.name = `neo4j ${options.uri} (incidents of store "${this.store}")`;
  }

  async open(): Promise<void> {
    if (this.opened) throw new CmdbError(`${this.name} is already open`, { code: 'internal' });
    if (!this.readOnly) {
      for (const statement of SCHEMA) await this.client.write(statement);
      for (const label of [L.delivered, L.command]) await this.client.write(PRUNE(label), { store: this.store, kept: neo4jInt(this.keptIds) });
    }
    Object.assign(this.state, await this.load());
    this.opened = true;
  }

  /** Every record of this store, in one read transaction. */
  private async load(): Promise<IncidentStoreState> {
    const rows = await this.client.read(async (run) => {
      const all: Record<string, Array<{ id: string; json: string; at: number }>> = {};
      for (const [kind, label] of Object.entries(L)) all[kind] = (await run(LOAD(label), { store: this.store })).map((r) => ({ id: String(r.get('id')), json: r.get('json') as string, at: toNumber(r.get('at') ?? 0) }));
      return all;
    });
    const parse = <T,>(kind: string) => rows[kind].map((r) => record<T>(r.json, kind, r.id));
    const state = emptyIncidentState();
    for (const s of parse<Signal>('signal')) state.signals.set(s.fingerprint, s);
    for (const i of parse<Incident>('incident')) state.incidents.set(i.id, i);
    for (const p of parse<Problem>('problem')) state.problems.set(p.id, p);
    for (const n of parse<Notification>('notification')) state.outbox.set(n.id, n);
    for (const r of rows.delivered) state.delivered.add(r.id);
    for (const r of rows.command) state.commands.add(r.id);
    this.lastAt = Math.max(this.lastAt, ...[...rows.delivered, ...rows.command].map((r) => r.at));
    return state;
  }

  /** What the database holds now: other replicas on this store may have committed since. */
  protected async loadAgain(): Promise<IncidentStoreState> {
    if (!this.opened) throw new CmdbError(`${this.name} is not open`, { code: 'state-store' });
    return this.load();
  }

  async close(): Promise<void> {
    await this.settled();
    await this.client.close();
    this.opened = false;
  }

  /** An id with the next `at` (milliseconds, strictly increasing even within one millisecond). */
  private readonly stamped = (id: string) => ({ id, at: (this.lastAt = Math.max(this.lastAt + 1, Date.now())) });

  protected async commitNow(tx: IncidentTransaction): Promise<void> {
    if (!this.opened) throw new CmdbError(`${this.name} is not open`, { code: 'state-store' });
    if (this.readOnly) throw new CmdbError(`${this.name} is open read-only`, { code: 'state-store' });
    const copy = JSON.parse(JSON.stringify(tx)) as IncidentTransaction;
    const json = <T,>(xs: T[] | undefined, id: (x: T) => string, extra: (x: T) => object = () => ({})) => (xs ?? []).map((x) => ({ id: id(x), json: JSON.stringify(x), ...extra(x) }));
    const versioned = (x: Incident | Problem) => ({ revision: x.revision, state: x.state });
    const [row] = await this.client.write(COMMIT, {
      store: this.store,
      signals: json(copy.signals, (s) => s.fingerprint),
      removeSignals: copy.removeSignals ?? [],
      incidents: json(copy.incidents, (i) => i.id, versioned),
      problems: json(copy.problems, (p) => p.id, versioned),
      notifications: json(copy.notifications, (n) => n.id),
      delivered: (copy.delivered ?? []).map(this.stamped),
      commands: (copy.commands ?? []).map(this.stamped),
    });
    if (toNumber(row?.get('done')) !== 1) throw new CmdbError(`${this.name}: the transaction returned no result`, { code: 'state-store' });
    applyIncidentTransaction(this.state, copy);
  }
}

function record<T>(value: unknown, kind: string, id: string): T {
  if (typeof value !== 'string') throw new CmdbError(`the ${kind} node ${id} has no json record`, { code: 'state-store' });
  try {
    return JSON.parse(value) as T;
  } catch (cause) {
    throw new CmdbError(`the ${kind} node ${id} holds JSON that cannot be read: ${(cause as Error).message}`, { code: 'state-store', cause });
  }
}

/** SKIP takes an integer, and the driver sends JS numbers as floats. */
const neo4jInt = (n: number) => neo4j.int(n);
