import type { Incident, IncidentQuery, IncidentTransaction, Notification, Problem, Signal } from './IncidentRecords.ts';

/**
 * The state of incident management, kept across restarts: signals by
 * fingerprint, incidents, problems, the notification outbox and the ids of the
 * commands already applied. One writer (the leader's incident engine) commits
 * `IncidentTransaction`s; each is kept whole or not at all, durably before
 * `commit` resolves, so a process killed mid-flow restarts with a state some
 * complete sequence of transactions produced.
 *
 * Idempotent by construction: an incident or problem is kept at its highest
 * `revision` (a put of a lower or equal revision is a no-op), a signal is
 * replaced by fingerprint, a notification id already delivered is not queued
 * again, a command id already applied is remembered.
 *
 * Reads are synchronous over what is loaded (`open` loads). Implementations:
 * `InMemoryIncidentStore` (tests, a process without state), `FileIncidentStore`
 * (a JSON Lines journal in the state dir, the default), `Neo4jIncidentStore`.
 * One contract suite (`tests/state/incidentStore.test.ts`) runs against all.
 */
export interface IncidentStore {
  /** Where the state lives, for logs and /readyz. */
  readonly name: string;
  /** Loads what a previous run kept (creating the store when missing). Call once before the rest. */
  open(): Promise<void>;
  /**
   * Reads the state again from where it is kept, after the commits called
   * before it: what another instance on the same storage committed since this
   * one loaded (Neo4j shared by replicas). A replica that starts leading calls
   * it before acting, and a follower to keep its reads current. A store with
   * one writer, which is this instance, has nothing to read again.
   */
  reload(): Promise<void>;
  /** Keeps the transaction whole, durably, then resolves. Transactions apply in call order. */
  commit(tx: IncidentTransaction): Promise<void>;
  signals(): Signal[];
  signal(fingerprint: string): Signal | undefined;
  /** Newest first (by `openedAt`, then id). */
  incidents(query?: IncidentQuery): Incident[];
  incident(id: string): Incident | undefined;
  /** Newest first. */
  problems(): Problem[];
  problem(id: string): Problem | undefined;
  /** Notifications not yet delivered, oldest first. */
  outbox(): Notification[];
  /** Whether a command id was already applied. */
  applied(commandId: string): boolean;
  /** The next free number for `INC-<n>` / `PRB-<n>` ids (1 + the highest kept). */
  nextNumber(kind: 'incident' | 'problem'): number;
  close(): Promise<void>;
}

/**
 * The effect of one transaction on loaded state (mutated): the one rule every
 * implementation applies, so they cannot disagree.
 */
export interface IncidentStoreState {
  signals: Map<string, Signal>;
  incidents: Map<string, Incident>;
  problems: Map<string, Problem>;
  outbox: Map<string, Notification>;
  delivered: Set<string>;
  commands: Set<string>;
}

export const emptyIncidentState = (): IncidentStoreState => ({
  signals: new Map(),
  incidents: new Map(),
  problems: new Map(),
  outbox: new Map(),
  delivered: new Set(),
  commands: new Set(),
});

export function applyIncidentTransaction(state: IncidentStoreState, tx: IncidentTransaction): void {
  for (const s of tx.signals ?? []) state.signals.set(s.fingerprint, s);
  for (const f of tx.removeSignals ?? []) state.signals.delete(f);
  for (const i of tx.incidents ?? []) if ((state.incidents.get(i.id)?.revision ?? -1) < i.revision) state.incidents.set(i.id, i);
  for (const p of tx.problems ?? []) if ((state.problems.get(p.id)?.revision ?? -1) < p.revision) state.problems.set(p.id, p);
  for (const n of tx.notifications ?? []) if (!state.delivered.has(n.id)) state.outbox.set(n.id, n);
  for (const id of tx.delivered ?? []) {
    state.outbox.delete(id);
    state.delivered.add(id);
  }
  for (const id of tx.commands ?? []) state.commands.add(id);
}

const byNewest = <T extends { id: string }>(at: (x: T) => string) => (a: T, b: T) => (at(a) === at(b) ? (a.id < b.id ? 1 : -1) : at(a) < at(b) ? 1 : -1);
const numberOf = (id: string) => Number(/-(\d+)$/.exec(id)?.[1] ?? 0);

/** The reads of the contract over loaded state, shared by the implementations. */
export const incidentReads = (state: IncidentStoreState) => ({
  signals: (): Signal[] => [...state.signals.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)),
  signal: (fingerprint: string) => state.signals.get(fingerprint),
  incidents: (query: IncidentQuery = {}): Incident[] => {
    const wanted = query.state ?? 'all';
    return [...state.incidents.values()]
      .filter((i) => wanted === 'all' || (wanted === 'unresolved' ? i.state !== 'resolved' : i.state === wanted))
      .filter((i) => !query.ref || i.root === query.ref || i.correlated.includes(query.ref))
      .sort(byNewest((i) => i.openedAt));
  },
  incident: (id: string) => state.incidents.get(id),
  problems: (): Problem[] => [...state.problems.values()].sort(byNewest((p) => p.openedAt)),
  problem: (id: string) => state.problems.get(id),
  outbox: (): Notification[] => [...state.outbox.values()].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1)),
  applied: (commandId: string) => state.commands.has(commandId),
  nextNumber: (kind: 'incident' | 'problem') => 1 + Math.max(0, ...[...(kind === 'incident' ? state.incidents : state.problems).keys()].map(numberOf)),
});

/**
 * What the loading implementations (file, Neo4j) share: the loaded state,
 * the contract's reads over it, and commits applied one after the other in
 * call order. A subclass loads in `open` and writes one transaction in
 * `commitNow` (durably, then `applyIncidentTransaction(this.state, tx)`).
 */
export abstract class LoadedIncidentStore implements IncidentStore {
  abstract readonly name: string;
  protected readonly state = emptyIncidentState();
  private readonly reads = incidentReads(this.state);
  private chain: Promise<unknown> = Promise.resolve();

  abstract open(): Promise<void>;
  abstract close(): Promise<void>;
  /** Writes one transaction and applies it to `state`; called one at a time. */
  protected abstract commitNow(tx: IncidentTransaction): Promise<void>;
  /** The state as storage holds it now, or undefined when nothing but this instance changes it. */
  protected abstract loadAgain(): Promise<IncidentStoreState | undefined>;

  commit(tx: IncidentTransaction): Promise<void> {
    const run = this.chain.then(() => this.commitNow(tx));
    this.chain = run.catch(() => undefined);
    return run;
  }

  reload(): Promise<void> {
    const run = this.chain.then(async () => {
      const loaded = await this.loadAgain();
      if (loaded) Object.assign(this.state, loaded);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every commit called so far has finished (for `close`). */
  protected settled(): Promise<unknown> {
    return this.chain;
  }

  signals = (): Signal[] => this.reads.signals();
  signal = (fingerprint: string): Signal | undefined => this.reads.signal(fingerprint);
  incidents = (query?: IncidentQuery): Incident[] => this.reads.incidents(query);
  incident = (id: string): Incident | undefined => this.reads.incident(id);
  problems = (): Problem[] => this.reads.problems();
  problem = (id: string): Problem | undefined => this.reads.problem(id);
  outbox = (): Notification[] => this.reads.outbox();
  applied = (commandId: string): boolean => this.reads.applied(commandId);
  nextNumber = (kind: 'incident' | 'problem'): number => this.reads.nextNumber(kind);
}
