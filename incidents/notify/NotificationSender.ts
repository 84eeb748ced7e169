import type { Logger } from 'pino';
import type { Notification } from '../../state/IncidentRecords.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { errorMessage, renderPayload, type Notifier, type SendResult } from './Notifier.ts';
import { DEFAULT_RETRY_POLICY, givenUp, retryDelay, type RetryPolicy } from './retryPolicy.ts';

/** The part of the server's metrics the sender uses (`ServerMetrics` has it). */
export interface NotifyMetrics {
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): { inc(labels: Record<L, string>): void };
  gauge(name: string, help: string, read: () => number): void;
}

export interface NotificationSenderOptions {
  store: IncidentStore;
  /** By target (`webhook:<name>`, `github-issue`). */
  notifiers: Map<string, Notifier>;
  now?: () => Date;
  log: Logger;
  metrics?: NotifyMetrics;
  /** Targets sent to at the same time (default 4); one notification in flight per target. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** For the jitter (default Math.random). */
  random?: () => number;
  /** Asked right before each send (default: always): false sends nothing more (this replica stopped leading). */
  mayDeliver?: () => boolean;
  /** How long `start()`'s loop sleeps at most when nothing is due and nobody kicks (default 30 s). */
  pollMs?: number;
  /** How long `stop()` lets sends in flight finish before abandoning them (default 10 s). */
  stopDeadlineMs?: number;
}

/** What one round did, by notification id. */
export interface FlushReport {
  delivered: string[];
  retried: string[];
  /** Failed for good (a permanent error, too old, too many attempts, no notifier, no incident): removed from the outbox. */
  gaveUp: string[];
  /** Sent (or dropped) but the outcome could not be committed: still in the outbox. */
  uncommitted: string[];
}

type Outcome = 'delivered' | 'skipped' | 'retried' | 'failed' | 'gave-up' | 'dropped' | 'abandoned' | 'uncommitted';

/**
 * Delivers the incident store's outbox (the transactional outbox the engine
 * writes with each incident change), on the leader only.
 *
 * A round takes the notifications due (`nextAttemptAt` <= now), renders
 * each with the incident as the store holds it then, sends it to its target's
 * notifier and commits the result: `delivered` removes it from the outbox; a
 * failure writes it back with one more attempt, a back-off and the error; a
 * permanent failure, or one past the retry policy's age or attempts, removes
 * it with an error log. At least once: a crash between a send and its commit
 * sends it again, with the same delivery id for receivers to deduplicate.
 *
 * Order: per target and incident, notifications go one at a time by revision,
 * and none overtakes an earlier one still waiting for its retry. Targets are
 * served in parallel (`concurrency`), one send in flight per target; a target
 * whose send failed gets no more sends in that round.
 */
export class NotificationSender {
  private readonly store: IncidentStore;
  private readonly notifiers: Map<string, Notifier>;
  private readonly now: () => Date;
  private readonly log: Logger;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly count?: { inc(labels: { target: string; outcome: string }): void };
  private readonly inFlight = new Set<string>();
  private flushing: Promise<unknown> = Promise.resolve();
  private loop?: Promise<void>;
  private stopping = false;
  private abandoned = false;
  private abort = new AbortController();
  private kicked = false;
  private wake?: () => void;

  constructor(private readonly options: NotificationSenderOptions) {
    this.store = options.store;
    this.notifiers = options.notifiers;
    this.now = options.now ?? (() => new Date());
    this.log = options.log;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.random = options.random ?? Math.random;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    if (options.metrics) {
      this.count = options.metrics.counter('cmdb_notifications_total', 'Incident notification attempts, by target and outcome (delivered, skipped, retried, failed, gave-up, dropped).', ['target', 'outcome']);
      options.metrics.gauge('cmdb_notification_outbox', 'Incident notifications waiting to be delivered.', () => this.store.outbox().length);
    }
  }

  /** Starts delivering in the background (the leader; call again after `stop()` for a new term). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.abandoned = false;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  /** The engine committed something: look at the outbox now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /**
   * Stops: no new send starts; sends in flight get until `deadlineMs` (default
   * `stopDeadlineMs`), then are aborted and left in the outbox (sent again by
   * the next leader: at least once).
   */
  async stop(deadlineMs = this.options.stopDeadlineMs ?? 10_000): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    this.stopping = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)));
    const finished = await Promise.race([loop.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (finished === 'deadline') {
      const left = [...this.inFlight];
      this.abandoned = true;
      this.abort.abort(new Error('the notification sender stopped'));
      this.log.warn({ abandoned: left }, `notification sender stopped with ${left.length} send(s) in flight; they stay in the outbox and are sent again`);
      // A notifier that ignores the abort is not waited for.
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    }
    this.loop = undefined;
  }

  /** One round over what is due at `now` (tests inject the time; the loop uses the clock). */
  flushOnce(now?: Date): Promise<FlushReport> {
    const round = this.flushing.then(() => this.round(now ? () => now : this.now));
    this.flushing = round.catch(() => undefined);
    return round;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      this.kicked = false;
      let wait: number;
      try {
        const report = await this.flushOnce();
        if (report.uncommitted.length) throw new Error(`the incident store did not take the outcome of ${report.uncommitted.length} notification(s)`);
        failures = 0;
        wait = this.untilNextDue();
      } catch (e) {
        failures++;
        wait = retryDelay(this.policy, failures, this.random());
        this.log.error({ err: errorMessage(e), retryInMs: wait }, 'notification round failed');
      }
      if (this.stopping) break;
      if (this.kicked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  /** Milliseconds until the first notification that may go comes due (bounded by the poll interval). */
  private untilNextDue(): number {
    const poll = this.options.pollMs ?? 30_000;
    if (this.options.mayDeliver && !this.options.mayDeliver()) return poll;
    const now = this.now().getTime();
    let next = now + poll;
    for (const queue of this.queues().values()) for (const [first] of queue.values()) next = Math.min(next, Date.parse(first.nextAttemptAt) || now);
    return Math.max(10, next - now);
  }

  /** The outbox by target, then by incident (in order of first appearance), each incident's notifications by revision. */
  private queues(): Map<string, Map<string, Notification[]>> {
    const byTarget = new Map<string, Map<string, Notification[]>>();
    for (const n of this.store.outbox()) {
      let byIncident = byTarget.get(n.target);
      if (!byIncident) byTarget.set(n.target, (byIncident = new Map()));
      const list = byIncident.get(n.incident) ?? [];
      list.push(n);
      byIncident.set(n.incident, list);
    }
    for (const byIncident of byTarget.values()) for (const list of byIncident.values()) list.sort((a, b) => a.revision - b.revision);
    return byTarget;
  }

  private async round(clock: () => Date): Promise<FlushReport> {
    const report: FlushReport = { delivered: [], retried: [], gaveUp: [], uncommitted: [] };
    const targets = [...this.queues()];
    let next = 0;
    const worker = async () => {
      while (next < targets.length && !this.stopping) {
        const [target, byIncident] = targets[next++];
        await this.serveTarget(target, byIncident, clock, report);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, targets.length) }, worker));
    return report;
  }

  /** Sends a target's due notifications one at a time; stops at the first that must wait for a retry. */
  private async serveTarget(target: string, byIncident: Map<string, Notification[]>, clock: () => Date, report: FlushReport): Promise<void> {
    for (const queue of byIncident.values()) {
      for (const n of queue) {
        if (this.stopping) return;
        if (this.options.mayDeliver && !this.options.mayDeliver()) return;
        // Not due: it holds back the incident's later notifications.
        if (Date.parse(n.nextAttemptAt) > clock().getTime()) break;
        const outcome = await this.deliver(n, clock());
        this.count?.inc({ target, outcome });
        if (outcome === 'delivered' || outcome === 'skipped') report.delivered.push(n.id);
        else if (outcome === 'retried') report.retried.push(n.id);
        else if (outcome === 'failed' || outcome === 'gave-up' || outcome === 'dropped') report.gaveUp.push(n.id);
        else if (outcome === 'uncommitted') report.uncommitted.push(n.id);
        if (outcome === 'retried' || outcome === 'uncommitted' || outcome === 'abandoned') return;
      }
    }
  }

  private async deliver(n: Notification, now: Date): Promise<Outcome> {
    const log = this.log.child({ notification: n.id, target: n.target, incident: n.incident, event: n.event });
    const notifier = this.notifiers.get(n.target);
    const incident = this.store.incident(n.incident);
    if (!notifier || !incident) {
      log.error(notifier ? 'notification dropped: its incident is not in the store' : 'notification dropped: no notifier is configured for its target');
      return (await this.commit(log, { delivered: [n.id] })) ? 'dropped' : 'uncommitted';
    }
    const outgoing = renderPayload(n, incident, (fp) => this.store.signal(fp), now);
    let result: SendResult;
    this.inFlight.add(n.id);
    try {
      result = await notifier.send(outgoing, this.abort.signal);
    } catch (e) {
      result = { outcome: 'retry', error: errorMessage(e) };
    } finally {
      this.inFlight.delete(n.id);
    }
    if (this.abandoned) return 'abandoned';
    switch (result.outcome) {
      case 'delivered':
      case 'skipped':
        log.debug({ attempts: n.attempts + 1, detail: result.detail }, `notification ${result.outcome}`);
        return (await this.commit(log, { delivered: [n.id] })) ? result.outcome : 'uncommitted';
      case 'failed':
        log.error({ attempts: n.attempts + 1, err: result.error }, 'notification failed for good: given up');
        return (await this.commit(log, { delivered: [n.id] })) ? 'failed' : 'uncommitted';
      case 'retry': {
        const attempts = n.attempts + 1;
        if (givenUp(this.policy, n.createdAt, attempts, now)) {
          log.error({ attempts, createdAt: n.createdAt, err: result.error }, 'notification given up: still failing after the retry limit');
          return (await this.commit(log, { delivered: [n.id] })) ? 'gave-up' : 'uncommitted';
        }
        const delay = retryDelay(this.policy, attempts, this.random(), result.retryAfterMs);
        const retry: Notification = { ...n, attempts, nextAttemptAt: new Date(now.getTime() + delay).toISOString(), lastError: result.error };
        log.warn({ attempts, nextAttemptAt: retry.nextAttemptAt, err: result.error }, 'notification failed; will retry');
        return (await this.commit(log, { notifications: [retry] })) ? 'retried' : 'uncommitted';
      }
    }
  }

  /** Commits; a store that fails leaves the notification as it was (sent again later). */
  private async commit(log: Logger, tx: Parameters<IncidentStore['commit']>[0]): Promise<boolean> {
    try {
      await this.store.commit(tx);
      return true;
    } catch (e) {
      log.error({ err: errorMessage(e) }, 'could not record the notification outcome; it stays in the outbox');
      return false;
    }
  }
}
