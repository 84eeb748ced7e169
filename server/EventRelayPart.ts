import type { Logger } from 'pino';
import type { EventBus } from '../core/EventBus.ts';
import type { CmdbEvent, CmdbEventType } from '../core/events.ts';
import type { EventLog } from '../state/EventLog.ts';
import type { LeadershipEvent } from './leader/Leadership.ts';
import type { LeadershipPart } from './LeadershipPart.ts';

/** Events each replica publishes for itself (its own served graph), hence not relayed. */
const LOCAL_EVENTS: ReadonlySet<CmdbEventType> = new Set(['catalogMoved']);

export interface EventRelayPartOptions {
  /** The log shared by the replicas (the state dir's `events.jsonl`), not opened: this part opens it for appending while leading. */
  eventLog: EventLog;
  events: EventBus;
  leadership: LeadershipPart;
  log: Logger;
}

/**
 * The event log across replicas, with leader election: only the leader
 * appends its bus's events to the shared log; a follower tails the log from
 * the last sequence number it republished and publishes each event on its own
 * bus (time kept), so its subscriptions see the leader's events (not
 * `catalogMoved`: each replica publishes its own, about the graph it serves;
 * its metrics count only its own events, see `isRelayed`).
 * A republished event is never appended again (it is recognised by identity,
 * also when the bus hands it over after this replica started leading).
 *
 * `start()` starts following (from the log's end: older events are not
 * news); a follower only reads the log (it never opens it for appending, so
 * it cannot cut a line the leader is writing). On `started-leading`: stop
 * tailing, republish what the old leader appended last, open the log (which
 * cuts a line torn by a crashed leader and numbers on from its end), then
 * append. On `stopped-leading`: stop appending, wait for the appends under
 * way, close the log and tail again from its end (not on `stop()`: shutting
 * down).
 */
export class EventRelayPart {
  private readonly options: EventRelayPartOptions;
  private readonly relayed = new WeakSet<CmdbEvent>();
  private appending = false;
  private closed = false;
  /** The log is open for appending (while leading). */
  private opened = false;
  /** The last sequence number republished (or appended). */
  private seq = 0;
  private tailing: { abort: AbortController; done: Promise<void> } | undefined;
  private pending = new Set<Promise<unknown>>();
  /**
   * Events published once this replica leads but before the log is open for
   * appending (the other parts start on the same started-leading): appended,
   * in order, as soon as it is.
   */
  private held: CmdbEvent[] = [];
  /** Leadership changes, one after the other. */
  private lifecycle: Promise<void> = Promise.resolve();
  private readonly stopRecording: () => void;

  constructor(options: EventRelayPartOptions) {
    this.options = options;
    this.stopRecording = options.events.subscribeAll((event) => this.record(event));
    options.leadership.subscribe((event) => this.onLeadership(event));
  }

  /** Whether this replica appends (it leads). */
  get leading(): boolean {
    return this.appending;
  }

  /** Whether `event` came from the leader through the log (not published by this replica). */
  isRelayed(event: CmdbEvent): boolean {
    return this.relayed.has(event);
  }

  /** The last sequence number republished from the log or appended to it. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Starts following the log from its end (call before the leadership starts). */
  async start(): Promise<void> {
    this.seq = (await this.options.eventLog.read(0)).at(-1)?.seq ?? 0;
    await this.follow();
  }

  /** Stops tailing and appending (after the leadership stopped); does not close the log. */
  async stop(): Promise<void> {
    this.closed = true;
    await this.lifecycle;
    await this.unfollow();
    this.stopRecording();
    await this.options.events.settled();
    await this.closeLog();
  }

  private async onLeadership(event: LeadershipEvent): Promise<void> {
    const step = event.type === 'started-leading' ? () => this.lead() : event.type === 'stopped-leading' ? () => this.follow(event.reason !== 'stopped') : undefined;
    if (!step) return;
    const failed = (err: unknown) => this.options.log.error({ err, log: this.options.eventLog.name, event: event.type }, 'event log: leadership change failed');
    await (this.lifecycle = this.lifecycle.then(step).catch(failed));
  }

  private async lead(): Promise<void> {
    if (this.closed) return;
    await this.unfollow();
    const log = this.options.eventLog;
    const last = await log.open();
    this.opened = true;
    for (const { seq, event } of await log.read(this.seq)) this.republish(seq, event);
    this.seq = last;
    // What this replica published meanwhile, in order; new events wait in `held` until it is empty.
    while (this.held.length > 0) for (const event of this.held.splice(0)) await this.append(event);
    this.appending = true;
    this.options.log.info({ log: log.name, seq: last }, 'leading: appending events to the log');
  }

  private async follow(tail = true): Promise<void> {
    await this.closeLog();
    if (!tail || this.closed || this.tailing) return;
    const abort = new AbortController();
    const log = this.options.eventLog;
    const run = async () => {
      try {
        for await (const { seq, event } of log.tail(this.seq, abort.signal)) this.republish(seq, event);
      } catch (err) {
        if (!abort.signal.aborted) this.options.log.error({ err, log: log.name }, 'cannot tail the event log; the leader\'s events are not relayed until this replica restarts');
      }
    };
    this.tailing = { abort, done: run() };
    this.options.log.info({ log: log.name, after: this.seq }, 'following: relaying the leader\'s events from the log');
  }

  /** Stops appending: waits for the appends under way, then closes the log. */
  private async closeLog(): Promise<void> {
    this.appending = false;
    this.held = [];
    await Promise.all(this.pending);
    if (!this.opened) return;
    this.opened = false;
    await this.options.eventLog.close();
  }

  private async unfollow(): Promise<void> {
    const tailing = this.tailing;
    this.tailing = undefined;
    if (!tailing) return;
    tailing.abort.abort();
    await tailing.done;
  }

  private republish(seq: number, event: CmdbEvent): void {
    if (seq <= this.seq) return;
    if (this.seq > 0 && seq > this.seq + 1) {
      this.options.log.warn({ log: this.options.eventLog.name, missed: { from: this.seq + 1, to: seq - 1 } }, 'event log: events not relayed (compacted before this replica read them, or never appended)');
    }
    this.seq = seq;
    // Each replica publishes its own: it serves its own graph.
    if (LOCAL_EVENTS.has(event.type)) return;
    const { events } = this.options;
    if (events.republish) {
      this.relayed.add(event);
      events.republish(event);
    } else this.relayed.add(events.publish(event.type, event.data as never) as CmdbEvent);
  }

  private record(event: CmdbEvent): Promise<void> | void {
    if (this.relayed.has(event)) return;
    if (!this.appending) {
      if (!this.closed && this.options.leadership.isLeader()) this.held.push(event);
      return;
    }
    return this.append(event);
  }

  private append(event: CmdbEvent): Promise<void> {
    const append = this.options.eventLog
      .append(event)
      .then((seq) => void (this.seq = Math.max(this.seq, seq)))
      .catch((err: unknown) => this.options.log.error({ err, event: event.type }, 'cannot append to the event log'));
    this.pending.add(append);
    void append.finally(() => this.pending.delete(append));
    return append;
  }
}
