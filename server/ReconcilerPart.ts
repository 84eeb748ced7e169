import type { Logger } from 'pino';
import type { EventBus } from '../core/EventBus.ts';
import type { FindingChangeData } from '../core/events.ts';
import { findingKey } from '../reconcilers/findings.ts';
import { clusterFindingKey } from '../reconcilers/kubernetes/judgeCluster.ts';
import type { Reconciler, ReconcilerOptions } from '../reconcilers/Reconciler.ts';
import type { Binding, CheckKind, FindingChange, FindingKind } from '../reconcilers/types.ts';
import type { FindingStore } from '../state/FindingStore.ts';
import type { ReadinessCheck } from './health.ts';
import type { LeadershipPart } from './LeadershipPart.ts';
import type { ServerMetrics } from './metrics.ts';

/** Builds one reconciler with the part's callbacks (the HTTP one; the Kubernetes one when it exists). */
export type ReconcilerFactory = (options: ReconcilerOptions) => Reconciler;

export interface ReconcilerPartOptions {
  /** One factory per check kind the server runs. */
  factories: Partial<Record<CheckKind, ReconcilerFactory>>;
  /** The bindings of the served commit, read at each start and on every `catalogMoved`; undefined while no commit is served. */
  bindings: () => readonly Binding[] | undefined;
  /** Where the current findings are kept (the state dir): only changes that alter it are published. */
  store: FindingStore;
  events: EventBus;
  /** The reconcilers run only while this replica leads. */
  leadership: LeadershipPart;
  metrics: ServerMetrics;
  log: Logger;
}

const FINDING_KINDS: readonly FindingKind[] = ['drifted', 'missing', 'unhealthy', 'unknown'];

/** Where one reconciler is: idle (not leading), running, or failed to start (the error). */
type State = { kind: 'idle' } | { kind: 'running' } | { kind: 'failed'; message: string };

interface Slot {
  check: CheckKind;
  reconciler: Reconciler;
  state: State;
  watched: number;
}

/**
 * The reconcilers as a part of the server, watch-driven, on the leader only:
 * on `started-leading` each starts on the served commit's bindings, on every
 * `catalogMoved` they are updated, on `stopped-leading` they stop at once.
 * Each change a reconciler reports is applied to the FindingStore; those that
 * alter the current findings (the store is idempotent: a finding already open
 * before a restart is not opened again) are published as `findingChanged`.
 * When the reconcilers start, stored findings of bindings gone from the
 * catalog are resolved (`binding-removed`) and those of kept bindings are
 * checked once (`reconcileOnce`): what was fixed meanwhile is resolved.
 *
 * Readiness (`reconcilers`) stays ok while a watched target or cluster is
 * down: that is a finding, not a reason to take the replica out of service;
 * the details carry each reconciler's state, objects watched and findings.
 * It fails only when a reconciler could not start on the leader.
 */
export class ReconcilerPart {
  readonly readiness: ReadinessCheck;
  private readonly slots: Slot[];
  private readonly options: ReconcilerPartOptions;
  private running = false;
  /** Leading, but no commit was served when the reconcilers were to start. */
  private waiting = false;
  /** Finding keys a running reconciler reported on since it started (they need no confirmation). */
  private readonly reported = new Set<string>();
  /** Starts and stops, one after the other (leadership events arrive in order). */
  private lifecycle: Promise<unknown> = Promise.resolve();
  /** Changes are applied and published one batch after the other, in the order reported. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly stepSeconds: { observe(labels: Record<'reconciler' | 'step', string>, value: number): void };
  private readonly errors: { inc(labels: Record<'reconciler', string>): void };
  private readonly changes: { inc(labels: Record<'check' | 'change', string>): void };

  constructor(options: ReconcilerPartOptions) {
    this.options = options;
    const { metrics, leadership, events } = options;
    this.stepSeconds = metrics.histogram('cmdb_reconcile_step_seconds', 'Time of each step of a reconcile pass, by reconciler and step (its count: the passes that reached the step).', ['reconciler', 'step'], [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30]);
    this.errors = metrics.counter('cmdb_reconcile_errors_total', 'Failures a reconciler survived (a step that threw, a listener that failed), by reconciler.', ['reconciler']);
    this.changes = metrics.counter('cmdb_finding_changes_total', 'Changes of the current findings published as findingChanged, by check and change (opened, changed, resolved).', ['check', 'change']);
    this.slots = (Object.entries(options.factories) as Array<[CheckKind, ReconcilerFactory]>).map(([check, factory]) => ({
      check,
      state: { kind: 'idle' },
      watched: 0,
      reconciler: factory({
        onChange: (change) => this.report(change),
        onError: (error) => {
          this.errors.inc({ reconciler: check });
          options.log.warn({ err: error, reconciler: check }, 'reconciler error');
        },
        stepTimer: (c, step, seconds) => this.stepSeconds.observe({ reconciler: c, step }, seconds),
      }),
    }));
    metrics.labelledGauge('cmdb_reconciler_objects_watched', 'Bindings (objects, endpoints) each reconciler watches on this replica (0 when not leading).', ['reconciler'], () =>
      this.slots.map((s) => ({ labels: { reconciler: s.check }, value: s.state.kind === 'running' ? s.watched : 0 })),
    );
    metrics.labelledGauge('cmdb_findings', 'Current findings (the finding store), by check and finding kind.', ['check', 'finding'], () => this.findingCounts());
    this.readiness = { name: 'reconcilers', check: async () => this.health() };
    leadership.subscribe((event) => {
      if (event.type === 'started-leading') return this.serially(() => this.start());
      if (event.type === 'stopped-leading') return this.stop();
      return undefined;
    });
    events.subscribe('catalogMoved', () => this.serially(() => this.update()));
  }

  /** The current findings by check and kind, every combination of the configured checks (0 included). */
  findingCounts(): Array<{ labels: { check: string; finding: string }; value: number }> {
    const counts = new Map<string, number>();
    for (const f of this.options.store.current()) counts.set(`${f.finding.check} ${f.finding.finding}`, (counts.get(`${f.finding.check} ${f.finding.finding}`) ?? 0) + 1);
    return this.slots.flatMap((s) => FINDING_KINDS.map((finding) => ({ labels: { check: s.check, finding }, value: counts.get(`${s.check} ${finding}`) ?? 0 })));
  }

  /** Starts every reconciler on the served bindings (started-leading). */
  private async start(): Promise<void> {
    if (this.running) return;
    const bindings = this.options.bindings();
    if (bindings === undefined) {
      // No commit served yet (the first sync failed): nothing is judged, nothing stored is resolved; catalogMoved starts it.
      this.waiting = true;
      this.options.log.info('reconcilers wait for the first served commit');
      return;
    }
    this.waiting = false;
    this.running = true;
    this.reported.clear();
    await this.resolveUnbound(bindings);
    for (const slot of this.slots) {
      if (!this.options.leadership.isLeader()) break;
      try {
        await slot.reconciler.start(bindings);
        slot.watched = bindings.filter((b) => b.check === slot.check).length;
        slot.state = { kind: 'running' };
        void this.confirmStored(slot, bindings);
      } catch (err) {
        slot.state = { kind: 'failed', message: (err as Error).message };
        this.options.log.error({ err, reconciler: slot.check }, 'reconciler could not start');
      }
    }
    this.options.log.info({ reconcilers: this.slots.map((s) => `${s.check}:${s.state.kind}`), bindings: bindings.length }, 'reconciling');
  }

  /** Hands the served commit's bindings to the running reconcilers (catalogMoved). */
  private async update(): Promise<void> {
    if (this.waiting && this.options.leadership.isLeader()) return this.start();
    if (!this.running) return;
    const bindings = this.options.bindings();
    if (bindings === undefined) return;
    for (const slot of this.slots) {
      if (slot.state.kind !== 'running') continue;
      try {
        await slot.reconciler.update(bindings);
        slot.watched = bindings.filter((b) => b.check === slot.check).length;
      } catch (err) {
        this.options.log.error({ err, reconciler: slot.check }, 'reconciler update failed');
      }
    }
  }

  /** Stops every reconciler (stopped-leading, shutdown); nothing is published afterwards. */
  stop(): Promise<void> {
    return this.serially(() => this.stopNow());
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.lifecycle.then(step);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }

  private async stopNow(): Promise<void> {
    this.waiting = false;
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.slots.map((s) => s.reconciler.stop()));
    for (const s of this.slots) s.state = { kind: 'idle' };
    await this.chain;
  }

  /**
   * A stored finding of a kept binding may have been fixed while no leader
   * watched (the watch starts with no history, so it would never report it
   * resolved): each such binding is checked once (`reconcileOnce`), and a
   * stored finding it no longer has is resolved (`fixed`), unless the watch
   * reported on that key meanwhile.
   */
  private async confirmStored(slot: Slot, bindings: readonly Binding[]): Promise<void> {
    const stored = this.options.store.current();
    const toCheck = bindings.filter((b) => b.check === slot.check && stored.some((f) => f.key.startsWith(`${b.key} `)));
    for (const binding of toCheck) {
      try {
        const found = await slot.reconciler.reconcileOnce([binding]);
        if (!this.running) return;
        // An unknown (its cluster or API unreachable, forbidden) judges nothing: what is stored stays.
        if (found.some((f) => f.finding === 'unknown')) continue;
        const now = new Set(found.map((f) => findingKey(binding.key, f)));
        const fixed = this.options.store.current().filter((f) => f.key.startsWith(`${binding.key} `) && !now.has(f.key) && !this.reported.has(f.key));
        await this.apply(fixed.map((f): FindingChangeData => ({ change: 'resolved', key: f.key, previous: f.finding, reason: 'fixed' })));
      } catch (err) {
        this.errors.inc({ reconciler: slot.check });
        this.options.log.warn({ err, binding: binding.key }, 'cannot check a stored finding');
      }
    }
  }

  /** Stored findings of bindings no longer in the catalog are resolved (`binding-removed`). */
  private async resolveUnbound(bindings: readonly Binding[]): Promise<void> {
    // A cluster's own finding (`kubernetes-cluster REF unknown`) belongs to the bindings on that cluster.
    const keys = [...bindings.map((b) => b.key), ...bindings.flatMap((b) => (b.check === 'kubernetes' ? [clusterFindingKey(b.target.cluster)] : []))];
    const gone = this.options.store.current().filter((f) => !keys.some((k) => f.key.startsWith(`${k} `)));
    await this.apply(gone.map((f): FindingChangeData => ({ change: 'resolved', key: f.key, previous: f.finding, reason: 'binding-removed' })));
  }

  private report(change: FindingChange): void {
    this.reported.add(change.key);
    const data: FindingChangeData =
      change.type === 'opened'
        ? { change: 'opened', key: change.key, finding: change.finding }
        : change.type === 'changed'
          ? { change: 'changed', key: change.key, finding: change.finding, previous: change.previous }
          : { change: 'resolved', key: change.key, previous: change.previous, reason: change.reason };
    void this.apply([data]);
  }

  /** Applies changes to the store and publishes those that took effect, while leading. */
  private apply(changes: readonly FindingChangeData[]): Promise<void> {
    if (changes.length === 0) return this.chain.then(() => undefined);
    const run = this.chain.then(async () => {
      if (!this.options.leadership.isLeader()) return;
      try {
        for (const effective of await this.options.store.apply(changes)) {
          const finding = effective.change === 'resolved' ? effective.previous : effective.finding;
          this.changes.inc({ check: finding.check, change: effective.change });
          this.options.events.publish('findingChanged', effective);
        }
      } catch (err) {
        this.options.log.error({ err, store: this.options.store.name }, 'cannot apply finding changes to the store');
      }
    });
    this.chain = run;
    return run;
  }

  private async health() {
    const details: Record<string, string | number | boolean | null> = { leading: this.options.leadership.isLeader(), store: this.options.store.name };
    const findings = this.options.store.current();
    for (const s of this.slots) {
      details[`${s.check}.state`] = s.state.kind === 'failed' ? `failed: ${s.state.message}` : s.state.kind;
      details[`${s.check}.watched`] = s.state.kind === 'running' ? s.watched : 0;
      details[`${s.check}.findings`] = findings.filter((f) => f.finding.check === s.check).length;
      details[`${s.check}.unknown`] = findings.filter((f) => f.finding.check === s.check && f.finding.finding === 'unknown').length;
    }
    const failed = this.slots.filter((s) => s.state.kind === 'failed').map((s) => s.check);
    return failed.length > 0
      ? { ok: false, message: `could not start: ${failed.join(', ')}`, details }
      : { ok: true, message: this.running ? `reconciling (${this.slots.map((s) => s.check).join(', ')})` : 'not leading: reconcilers idle', details };
  }
}
