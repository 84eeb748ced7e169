import type { Logger } from 'pino';
import type { EventBus } from '../core/EventBus.ts';
import type { FindingChangeData, IncidentChangeData } from '../core/events.ts';
import { CoalescingQueue } from '../incidents/engine/CoalescingQueue.ts';
import type { EngineInput, SignalReport } from '../incidents/types.ts';
import type { FindingStore, StoredFinding } from '../state/FindingStore.ts';
import type { IncidentCommand } from '../state/IncidentRecords.ts';
import type { IncidentStore } from '../state/IncidentStore.ts';
import type { ReadinessCheck } from './health.ts';
import type { LeadershipPart } from './LeadershipPart.ts';
import type { ServerMetrics } from './metrics.ts';

/** The engine as the part drives it (`incidents/engine/IncidentEngine.ts`). */
export interface EngineDriver {
  apply(inputs: readonly EngineInput[]): Promise<IncidentChangeData[]>;
  /** When a `tick` would next change something (ISO), if ever. */
  nextDue(): string | undefined;
}

/** The outbox sender as the part drives it (`incidents/notify/`). */
export interface SenderDriver {
  start(): void;
  stop(): Promise<void>;
  /** Something was committed: look at the outbox now. */
  kick(): void;
}

export interface IncidentPartOptions {
  store: IncidentStore;
  engine: EngineDriver;
  /** The reconcilers' current findings: stated to the engine (`sync`) when this replica starts leading. */
  findings?: FindingStore;
  /** How findings become signals (`incidents/signals.ts`). */
  signals: {
    ofChange(change: FindingChangeData, at: string): SignalReport[];
    ofCurrent(current: StoredFinding[], at: string): EngineInput[];
  };
  /** Commands people queued with `cmdb incident ack|resolve|note` and the engine has not applied yet. */
  pendingCommands?: () => Promise<IncidentCommand[]>;
  sender?: SenderDriver;
  events: EventBus;
  leadership: LeadershipPart;
  metrics: ServerMetrics;
  log: Logger;
  /** Default: the system clock. */
  now?: () => Date;
  /** How often the command inbox is read while leading, in ms (default 1000). */
  inboxIntervalMs?: number;
  /**
   * How often a follower reads the store again, in ms (default 5000), so
   * that its reads show what the leader commits to a store they share
   * (Neo4j); 0: never.
   */
  followerReloadMs?: number;
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/**
 * Incident management as a part of the server, on the leader only. On
 * `started-leading` it states the reconcilers' current findings to the engine
 * (what changed while nobody led clears or fires), then feeds it every
 * `findingChanged`, a `tick` whenever something comes due (a signal reaching
 * `for`, an incident reaching `resolveAfter`), and the commands people queued;
 * the notification sender runs alongside. On `stopped-leading` all of it stops
 * before the lease can be taken over. Alertmanager's webhook submits through
 * `submit` (the route answers 503 on a follower, so Alertmanager retries).
 *
 * The engine writes every effect to the store in one transaction before
 * anything is published or sent, so a restart continues from the store.
 * Findings (and ticks) arriving while the engine is busy are queued and
 * handed to it together, in order, as one `apply` (incidents/engine/
 * CoalescingQueue.ts): a zone failing is a few transactions, not one per
 * finding. Alerts and commands go alone, so their callers learn of a failure.
 */
export class IncidentPart {
  readonly readiness: ReadinessCheck;
  private readonly options: IncidentPartOptions;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private inboxTimer: NodeJS.Timeout | undefined;
  /** Inputs in order; findings (and ticks) arriving while the engine is busy are handed to it together, as one batch. */
  private readonly queue = new CoalescingQueue<EngineInput>((inputs, kind) => this.apply(inputs, kind));
  private lastError: string | undefined;
  private followerTimer: NodeJS.Timeout | undefined;
  /** The last failure of a follower's reload (logged once until a reload works). */
  private followerError: string | undefined;
  /** Settles once the store was read again for this term of leadership (false: the term ended first); inputs wait for it. */
  private reloaded: Promise<boolean> = Promise.resolve(true);
  /** Terms of leadership started: work of an older term stops when a newer one began. */
  private term = 0;
  /** Queued commands the engine refused (an unknown incident): not retried every second. */
  private readonly rejected = new Set<string>();
  private readonly failures: { inc(labels: Record<'input', string>): void };

  constructor(options: IncidentPartOptions) {
    this.options = options;
    const { metrics, leadership, events, store } = options;
    this.failures = metrics.counter('cmdb_incident_engine_errors_total', 'Engine inputs that failed (and were retried or dropped), by input type.', ['input']);
    metrics.labelledGauge('cmdb_incidents_open', 'Unresolved incidents (open or acknowledged), by severity.', ['severity'], () => {
      const unresolved = store.incidents({ state: 'unresolved' });
      return SEVERITIES.map((severity) => ({ labels: { severity }, value: unresolved.filter((i) => i.severity === severity).length }));
    });
    metrics.gauge('cmdb_signals_firing', 'Signals firing (findings and alerts), incident or not.', () => store.signals().filter((s) => s.state === 'firing').length);
    metrics.gauge('cmdb_notifications_pending', 'Notifications waiting in the outbox.', () => store.outbox().length);
    this.readiness = { name: 'incidents', check: async () => this.health() };
    leadership.subscribe((event) => {
      if (event.type === 'started-leading') return this.start();
      if (event.type === 'stopped-leading') return this.stop();
      return undefined;
    });
    events.subscribe('findingChanged', (event) => {
      if (!this.leading) return undefined;
      return this.feed(options.signals.ofChange(event.data, event.at), 'finding');
    });
    const every = options.followerReloadMs ?? 5000;
    if (every > 0) {
      let reloading = false;
      this.followerTimer = setInterval(() => {
        // One reload at a time: a slow store never piles them up in front of a new term's.
        if (this.leading || reloading) return;
        reloading = true;
        this.options.store
          .reload()
          .then(
            () => (this.followerError = undefined),
            (err: unknown) => {
              if ((err as Error).message !== this.followerError) this.options.log.warn({ err }, 'cannot read the incident store again (reads may be behind the leader)');
              this.followerError = (err as Error).message;
            },
          )
          .finally(() => (reloading = false));
      }, every);
      this.followerTimer.unref();
    }
  }

  /** Hands signal reports to the engine (Alertmanager's route): resolves once they are stored. Only the leader may call it. */
  submit(reports: readonly SignalReport[]): Promise<void> {
    if (!this.options.leadership.isLeader()) return Promise.reject(new Error('not the leader'));
    return this.run(reports, 'alert');
  }

  /**
   * Applies one person's command (the API's mutations) in order with the
   * other inputs; resolves once the store holds its effect, rejects with the
   * engine's error (a CmdbError `usage` for an unknown id). Only the leader may call it.
   */
  command(command: IncidentCommand): Promise<void> {
    if (!this.options.leadership.isLeader() || !this.leading) return Promise.reject(new Error('not the leader'));
    return this.run([{ type: 'command', command }], 'command');
  }

  private now = () => (this.options.now ?? (() => new Date()))();

  private async start(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    // The engine acts on the store as it is now, not as this replica loaded it: with a store the
    // replicas share, the one that led before committed since (incidents, delivered notifications).
    const term = ++this.term;
    this.reloaded = this.reloadWhileLeading(term);
    if (!(await this.reloaded)) return;
    const at = this.now().toISOString();
    if (this.options.findings) await this.feed(this.options.signals.ofCurrent(this.options.findings.current(), at), 'sync');
    await this.feed([{ type: 'tick', at }], 'tick');
    await this.readInbox();
    this.options.sender?.start();
    this.options.log.info({ store: this.options.store.name }, 'incident engine running');
  }

  /** Reads the store again, retrying every second while term `term` lasts; false when it ended first. */
  private async reloadWhileLeading(term: number): Promise<boolean> {
    const current = () => this.leading && this.term === term;
    let logged: string | undefined;
    while (current()) {
      try {
        await this.options.store.reload();
        return current();
      } catch (err) {
        this.lastError = `cannot read the incident store again: ${(err as Error).message}`;
        if (this.lastError !== logged) this.options.log.error({ err }, 'cannot read the incident store again before managing incidents; retrying every second');
        logged = this.lastError;
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
    return false;
  }

  /** Stops leading work and the follower's reloads (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.followerTimer);
    this.followerTimer = undefined;
    await this.stop();
  }

  /** Stops feeding the engine and the sender (stopped-leading, shutdown); waits for what runs. */
  async stop(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    clearTimeout(this.timer);
    clearTimeout(this.inboxTimer);
    this.timer = this.inboxTimer = undefined;
    await this.options.sender?.stop();
    await this.queue.settled();
  }

  /** Inputs whose failure is only logged and counted: findings and ticks, joined with those of their kind still waiting for the engine. */
  private feed(inputs: readonly EngineInput[], kind: string): Promise<void> {
    if (inputs.length === 0) return Promise.resolve();
    return this.queue.push(inputs, kind).catch(() => undefined);
  }

  /** Inputs whose caller learns of a failure (alerts, a command): a batch of their own, in order after the previous ones. */
  private run(inputs: readonly EngineInput[], kind: string): Promise<void> {
    return this.queue.push(inputs, kind, false);
  }

  /**
   * One batch through the engine; then the timer is set to the next due time.
   * When a batch of several inputs fails (the engine kept those before the
   * failing one), each is applied again alone, so only a bad input is lost:
   * signal reports, syncs and ticks applied twice change nothing more.
   */
  private async apply(inputs: readonly EngineInput[], kind: string): Promise<void> {
    if (!this.leading || inputs.length === 0) return;
    // An alert or a command may arrive while a new term reads the store again: the engine acts after it.
    if (!(await this.reloaded) || !this.leading) return;
    try {
      let failed: unknown;
      await this.options.engine.apply(inputs).catch(async (err: unknown) => {
        if (inputs.length === 1) return void (failed = this.failed(err, kind));
        for (const input of inputs) await this.options.engine.apply([input]).catch((e: unknown) => void (failed ??= this.failed(e, kind)));
      });
      if (failed) throw failed;
      this.lastError = undefined;
      this.options.sender?.kick();
    } finally {
      this.schedule();
    }
  }

  private failed(err: unknown, kind: string): unknown {
    this.failures.inc({ input: kind });
    this.lastError = (err as Error).message;
    this.options.log.error({ err, input: kind }, 'incident engine failed on an input');
    return err;
  }

  /** A tick when the engine says something comes due (at most a minute away, so a clock jump is caught). */
  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.leading) return;
    const due = this.options.engine.nextDue();
    const wait = due === undefined ? 60_000 : Math.min(60_000, Math.max(20, Date.parse(due) - this.now().getTime()));
    this.timer = setTimeout(() => void this.feed([{ type: 'tick', at: this.now().toISOString() }], 'tick'), wait);
    this.timer.unref();
  }

  private async readInbox(): Promise<void> {
    if (!this.leading || !this.options.pendingCommands) return;
    try {
      const commands = await this.options.pendingCommands();
      if (commands.length > 0) {
        // Each command on its own: a command naming an unknown incident fails alone (and is reported by the CLI's wait).
        for (const command of commands) {
          if (this.rejected.has(command.id)) continue;
          await this.run([{ type: 'command', command }], 'command').catch(() => this.rejected.add(command.id));
        }
      }
    } catch (err) {
      this.options.log.warn({ err }, 'cannot read the incident command inbox');
    }
    if (!this.leading) return;
    this.inboxTimer = setTimeout(() => void this.readInbox(), this.options.inboxIntervalMs ?? 1000);
    this.inboxTimer.unref();
  }

  private async health() {
    const { store } = this.options;
    const details = {
      leading: this.leading,
      store: store.name,
      open: store.incidents({ state: 'unresolved' }).length,
      signalsFiring: store.signals().filter((s) => s.state === 'firing').length,
      outbox: store.outbox().length,
      lastError: this.lastError ?? null,
    };
    // A failing input is logged and counted; the replica still serves reads, so it stays ready.
    return { ok: true, message: this.leading ? 'managing incidents' : 'not leading: incident engine idle', details };
  }
}
