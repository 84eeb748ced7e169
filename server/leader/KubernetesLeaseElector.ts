import type { KubeConfig } from '@kubernetes/client-node';
import { CmdbError } from '../../core/errors.ts';
import type { Leadership, LeadershipEvent, LeadershipListener, StopOptions, StoppedLeadingReason } from './Leadership.ts';
import { LeaseLock, rawRecord, type LeaderElectionRecord } from './LeaseLock.ts';
import {
  DEFAULT_LEADER_ELECTION_TIMING,
  DEFAULT_TIMING_NAMES,
  LEADER_ELECTION_JITTER,
  formatDuration,
  validateLeaderElectionTiming,
  type LeaderElectionTiming,
  type TimingNames,
} from './timing.ts';

export interface KubernetesLeaseElectorOptions {
  /** Where the API server is and who this replica is to it (needs get, create, update on leases). */
  kubeConfig: KubeConfig;
  namespace: string;
  leaseName: string;
  /** Unique per replica (process), e.g. the pod's name or hostname plus a random suffix. */
  identity: string;
  /** client-go's defaults (15 s, 10 s, 2 s) for what is not given. */
  timing?: Partial<LeaderElectionTiming>;
  /** The option names a user set the timing with, for configuration errors. */
  timingNames?: TimingNames;
  onEvent?: LeadershipListener;
}

/** client-go's observed state: the record last seen, when this replica saw it change (its own clock). */
interface Observed {
  record: LeaderElectionRecord;
  raw: string;
  at: number;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, following client-go's
 * tools/leaderelection (Run, acquire, renew, tryAcquireOrRenew, release):
 *
 * - a candidate tries every retry period (jittered up to 2.2x); it takes the Lease when nobody holds
 *   it, or when it has not seen the Lease change for the Lease's own duration, measured on this
 *   replica's clock from the moment it observed the last change (never the holder's timestamps);
 * - the leader renews every retry period, first optimistically over the Lease it last wrote, then
 *   by reading it again; every write carries the resourceVersion read, so of two candidates only one
 *   wins (a 409 is a lost race, retried next period); `leaseTransitions` grows with each new holder;
 * - stop() releases the Lease (holder emptied, duration 1 s) so another replica takes over at once.
 *
 * Stricter than client-go, so that a leader stops before its Lease can be taken over:
 * - the renew deadline counts from the start of the last successful renewal (client-go starts it a
 *   retry period later); when it passes, the request in flight is abandoned and `stopped-leading`
 *   is delivered; as the Lease cannot expire for others before that start plus the lease duration,
 *   a leader stops at least (lease duration - renew deadline) before anyone can take over;
 * - a leader that reads the Lease held by someone else stops at once (reason `lost`);
 * - after losing the lease it goes back to being a candidate instead of ending.
 */
export class KubernetesLeaseElector implements Leadership {
  readonly identity: string;
  readonly timing: LeaderElectionTiming;
  private readonly lock: LeaseLock;
  private readonly onEvent: LeadershipListener;

  private observed: Observed | undefined;
  private reportedLeader: string | undefined;
  private lastErrorMessage: string | undefined;

  private leading = false;
  private leadingUntil = 0;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private inFlight: AbortController | undefined;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: KubernetesLeaseElectorOptions) {
    const names = options.timingNames ?? DEFAULT_TIMING_NAMES;
    this.timing = validateLeaderElectionTiming({ ...DEFAULT_LEADER_ELECTION_TIMING, ...options.timing }, names);
    if (!options.identity.trim()) throw new CmdbError('leader election: the identity is empty; every replica needs its own', { code: 'config' });
    if (!options.namespace.trim() || !options.leaseName.trim()) {
      throw new CmdbError('leader election: the lease name and namespace must not be empty', { code: 'config' });
    }
    this.identity = options.identity;
    this.lock = new LeaseLock({ kubeConfig: options.kubeConfig, namespace: options.namespace, name: options.leaseName });
    this.onEvent = options.onEvent ?? (() => {});
  }

  isLeader(): boolean {
    return this.leading && Date.now() < this.leadingUntil;
  }

  leader(): string | undefined {
    return this.observed?.record.holderIdentity || undefined;
  }

  start(): void {
    if (this.running || this.stopped) throw new CmdbError('KubernetesLeaseElector.start called twice or after stop', { code: 'internal' });
    this.running = this.run();
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.stopped ??= this.shutDown(options.release ?? true);
    return this.stopped;
  }

  private async shutDown(release: boolean): Promise<void> {
    if (!this.running) return;
    const listener = this.leading ? this.stopLeading('stopped') : undefined;
    const reason = new Error('leader election stopped');
    this.stopping.abort(reason);
    this.inFlight?.abort(reason);
    await listener;
    await this.running;
    if (release) await this.release();
  }

  /** client-go's Run, looping: acquire, lead while renewals succeed, and stand again when they do not. */
  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const since = await this.acquire();
      if (since === undefined) return;
      this.startLeading(since);
      await this.renew();
    }
  }

  /** Tries every jittered retry period; resolves with the start of the winning attempt, or undefined once stopped. */
  private async acquire(): Promise<number | undefined> {
    while (!this.stopping.signal.aborted) {
      const start = Date.now();
      const won = await this.attempt(this.timing.renewDeadlineMs);
      this.reportNewLeader();
      if (won && !this.stopping.signal.aborted) return start;
      await this.sleep(this.timing.retryPeriodMs * (1 + Math.random() * LEADER_ELECTION_JITTER));
    }
    return undefined;
  }

  /** Renews every retry period until the deadline passes, the lease is lost, or stop() is called. */
  private async renew(): Promise<void> {
    while (this.leading) {
      await this.sleep(this.timing.retryPeriodMs);
      if (!this.leading) return;
      const start = Date.now();
      const renewed = await this.attempt(this.leadingUntil - start);
      this.reportNewLeader();
      if (!this.leading) return;
      if (renewed) {
        this.extendLeading(start);
      } else if (this.leader() !== this.identity && this.observed) {
        this.stopLeading('lost');
        return;
      }
    }
  }

  /** One tryAcquireOrRenew with a time limit; failures are reported and count as not won. */
  private async attempt(limitMs: number): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), Math.max(0, limitMs));
    this.inFlight = controller;
    const signal = controller.signal;
    if (this.stopping.signal.aborted) controller.abort(this.stopping.signal.reason);
    try {
      const won = await this.tryAcquireOrRenew(signal);
      this.lastErrorMessage = undefined;
      return won;
    } catch (error) {
      if (error instanceof CmdbError) {
        this.reportError(error);
        return false;
      }
      if (signal.aborted) {
        if (signal.reason instanceof AttemptTimeout) {
          this.reportError(new CmdbError(`leader election: no answer about ${this.lock.describe()} within ${formatDuration(limitMs)}`, { code: 'leader-election' }));
        }
        return false;
      }
      throw error;
    } finally {
      clearTimeout(timer);
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  /** client-go's tryAcquireOrRenew: true when this replica holds the Lease afterwards. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = Date.now();
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.timing.leaseDurationMs / 1000,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };

    // 1. The holder's fast path: write over the Lease it last wrote, assuming nobody changed it.
    if (this.observed && this.leader() === this.identity && this.isLeaseValid(now)) {
      const renewal = { ...desired, acquireTime: this.observed.record.acquireTime, leaseTransitions: this.observed.record.leaseTransitions };
      if ((await this.lock.update(renewal, signal)).kind === 'written') {
        this.observe(renewal);
        return true;
      }
    }

    // 2. Read the Lease, or create it.
    const read = await this.lock.get(signal);
    if (read.kind === 'not-found') {
      if ((await this.lock.create(desired, signal)).kind === 'conflict') return false;
      this.observe(desired);
      return true;
    }

    // 3. A change restarts the expiry clock; a lease someone else holds is respected until it expires.
    if (read.raw !== this.observed?.raw) this.observe(read.record, read.raw);
    const holder = read.record.holderIdentity;
    if (holder !== '' && holder !== this.identity && this.isLeaseValid(now)) return false;

    // 4. Take it over (a new transition) or renew it (keeping when and how often it changed hands).
    const record = holder === this.identity
      ? { ...desired, acquireTime: read.record.acquireTime, leaseTransitions: read.record.leaseTransitions }
      : { ...desired, leaseTransitions: read.record.leaseTransitions + 1 };
    if ((await this.lock.update(record, signal)).kind === 'conflict') return false;
    this.observe(record);
    return true;
  }

  /** client-go's release: empty the holder and shorten the lease so that a candidate takes it at once. */
  private async release(): Promise<void> {
    if (!this.observed || this.leader() !== this.identity) return;
    const signal = AbortSignal.timeout(this.timing.renewDeadlineMs);
    const now = Date.now();
    const released = (transitions: number): LeaderElectionRecord =>
      ({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: transitions });
    try {
      let record = released(this.observed.record.leaseTransitions);
      let result = await this.lock.update(record, signal);
      if (result.kind === 'conflict') {
        // A renewal abandoned by stop() may have landed: release what is there if it is still ours.
        const read = await this.lock.get(signal);
        if (read.kind !== 'found' || read.record.holderIdentity !== this.identity) return;
        record = released(read.record.leaseTransitions);
        result = await this.lock.update(record, signal);
      }
      if (result.kind === 'written') {
        this.observe(record);
        this.reportNewLeader();
      }
    } catch (error) {
      if (error instanceof CmdbError) this.reportError(error);
      else if (!signal.aborted) throw error;
      else this.reportError(new CmdbError(`leader election: could not release ${this.lock.describe()} within ${formatDuration(this.timing.renewDeadlineMs)}; it expires on its own`, { code: 'leader-election' }));
    }
  }

  private isLeaseValid(now: number): boolean {
    return !!this.observed && this.observed.at + this.observed.record.leaseDurationSeconds * 1000 > now;
  }

  private observe(record: LeaderElectionRecord, raw = rawRecord(record)): void {
    this.observed = { record, raw, at: Date.now() };
  }

  private startLeading(since: number): void {
    this.leading = true;
    this.extendLeading(since);
    this.emit({ type: 'started-leading', identity: this.identity });
  }

  /** The leader may act until `since` (the start of its last successful write) plus the renew deadline. */
  private extendLeading(since: number): void {
    this.leadingUntil = since + this.timing.renewDeadlineMs;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.checkDeadline(), Math.max(0, this.leadingUntil - Date.now()));
  }

  private checkDeadline(): void {
    if (!this.leading) return;
    const left = this.leadingUntil - Date.now();
    if (left > 0) {
      this.deadlineTimer = setTimeout(() => this.checkDeadline(), left);
      return;
    }
    this.stopLeading('renew-deadline');
  }

  private stopLeading(reason: StoppedLeadingReason): void | Promise<void> {
    this.leading = false;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (reason !== 'stopped') this.inFlight?.abort(new Error(`stopped leading: ${reason}`));
    return this.emit({ type: 'stopped-leading', identity: this.identity, reason });
  }

  private reportNewLeader(): void {
    const leader = this.leader();
    if (leader === this.reportedLeader) return;
    this.reportedLeader = leader;
    this.emit({ type: 'new-leader', leader });
  }

  private reportError(error: CmdbError): void {
    if (error.message === this.lastErrorMessage) return;
    this.lastErrorMessage = error.message;
    this.emit({ type: 'error', error });
  }

  private emit(event: LeadershipEvent): void | Promise<void> {
    return this.onEvent(event);
  }

  /** Resolves after `ms`, or at once when stop() is called. */
  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The reason an attempt's own time limit aborts it (as opposed to stop() or a lost lease). */
class AttemptTimeout extends Error {
  constructor() {
    super('leader election attempt timed out');
  }
}
