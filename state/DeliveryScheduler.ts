import type { Logger } from 'pino';
import type { Delivery, DeliveryJournal, DeliveryOutcome } from './DeliveryJournal.ts';

/** How a delivery is scheduled. */
export interface DeliveryPlan {
  /** Deliveries with the same key (one pull request) run one at a time, in the order received. */
  key: string;
  /** It evaluates the key's current state: a later evaluating delivery of the same key makes it moot. */
  evaluates: boolean;
  /** The head commit it is about, when known: one for another head aborts it while it runs. */
  head?: string;
}

export interface ProcessResult {
  outcome: DeliveryOutcome;
  detail?: string;
}

/** Processes one delivery; stops early with `superseded` when the signal aborts. */
export type DeliveryProcessor = (delivery: Delivery, signal: AbortSignal) => Promise<ProcessResult>;

export interface DeliverySchedulerOptions {
  journal: DeliveryJournal;
  plan: (delivery: Delivery) => DeliveryPlan;
  process: DeliveryProcessor;
  /** Keys processed at the same time (default 2). */
  concurrency?: number;
  /**
   * Asked right before each delivery starts (default: always): false leaves it
   * waiting, journaled, until `resume()` (leader election: only the leader
   * processes deliveries; they are still accepted and journaled by every replica).
   */
  mayStart?: () => boolean;
  log?: Logger;
}

interface Queued {
  delivery: Delivery;
  plan: DeliveryPlan;
}

/**
 * Runs journaled deliveries: in order per key, keys in parallel up to
 * `concurrency`. Before an evaluating delivery runs, it is `superseded` if a
 * later evaluating one of its key is waiting; a running one is aborted when a
 * delivery for another head of its key arrives. Every delivery ends with one
 * `done` in the journal; one that throws ends `failed`.
 */
export class DeliveryScheduler {
  private readonly options: DeliverySchedulerOptions;
  private readonly queues = new Map<string, Queued[]>();
  private readonly running = new Map<string, { plan: DeliveryPlan; abort: AbortController; done: Promise<void> }>();
  /** Keys with waiting deliveries and nothing running, in the order they became ready. */
  private readonly ready: string[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(options: DeliverySchedulerOptions) {
    this.options = options;
  }

  /** Schedules a delivery already in the journal. */
  submit(delivery: Delivery): void {
    const plan = this.options.plan(delivery);
    const queue = this.queues.get(plan.key) ?? [];
    queue.push({ delivery, plan });
    this.queues.set(plan.key, queue);
    const active = this.running.get(plan.key);
    if (active) {
      if (active.plan.evaluates && plan.evaluates && plan.head && active.plan.head && plan.head !== active.plan.head) active.abort.abort();
    } else if (queue.length === 1) {
      this.ready.push(plan.key);
    }
    this.pump();
  }

  /** Starts what waits, now that `mayStart` may allow it (this replica started leading). */
  resume(): void {
    this.pump();
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Starts nothing more and waits for what runs; what waits stays in the journal for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private isIdle(): boolean {
    return this.running.size === 0 && this.queues.size === 0;
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 2;
    const mayStart = this.options.mayStart ?? (() => true);
    while (!this.closed && this.running.size < limit && this.ready.length > 0 && mayStart()) {
      const key = this.ready.shift()!;
      const abort = new AbortController();
      const entry = { plan: this.queues.get(key)![0].plan, abort, done: Promise.resolve() };
      this.running.set(key, entry);
      entry.done = this.runKey(key, entry);
    }
    if (this.isIdle()) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  /** Runs the next delivery of a key (after dropping superseded ones), then lets the key go. */
  private async runKey(key: string, entry: { plan: DeliveryPlan; abort: AbortController }): Promise<void> {
    const queue = this.queues.get(key)!;
    const { log } = this.options;
    const superseded: Queued[] = [];
    while (queue.length > 1 && queue[0].plan.evaluates && queue.slice(1).some((q) => q.plan.evaluates)) superseded.push(queue.shift()!);
    const { delivery, plan } = queue.shift()!;
    entry.plan = plan;
    for (const q of superseded) await this.finish(q.delivery, { outcome: 'superseded', detail: 'a later delivery for the same pull request was waiting' });
    if (!(this.options.mayStart?.() ?? true)) {
      // Leadership was lost while superseded ones were marked: the delivery waits for the next leader term.
      queue.unshift({ delivery, plan });
      this.running.delete(key);
      this.ready.unshift(key);
      return;
    }
    let result: ProcessResult;
    try {
      result = await this.options.process(delivery, entry.abort.signal);
    } catch (e) {
      log?.error({ delivery: delivery.id, event: delivery.event, err: e }, 'delivery failed');
      result = { outcome: 'failed', detail: (e as Error).message };
    }
    await this.finish(delivery, result);
    this.running.delete(key);
    if (queue.length === 0) this.queues.delete(key);
    else this.ready.push(key);
    this.pump();
  }

  private async finish(delivery: Delivery, result: ProcessResult): Promise<void> {
    try {
      await this.options.journal.done(delivery.id, result.outcome, result.detail);
    } catch (e) {
      // The delivery will be processed again after a restart: effects are idempotent.
      this.options.log?.error({ delivery: delivery.id, err: e }, 'cannot mark delivery done in the journal');
    }
    this.options.log?.info({ delivery: delivery.id, event: delivery.event, outcome: result.outcome, detail: result.detail }, 'delivery processed');
  }
}
