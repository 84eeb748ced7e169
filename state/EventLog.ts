import type { CmdbEvent } from '../core/events.ts';

/** An event as the log keeps it: its sequence number (1, 2, 3... in append order) and the event. */
export interface LoggedEvent {
  seq: number;
  event: CmdbEvent;
}

/**
 * The append-only log of the process's events (`core/events.ts`), so that
 * what the leader publishes can be read elsewhere: another replica tails the
 * log from the last sequence number it has seen and republishes each event
 * on its own bus (see docs/architecture.md, "Runtime"). Sequence numbers
 * start at 1, increase by one per event appended, and are never reused, also
 * across restarts (an append that fails leaves its number unused). Implementations: `FileEventLog` (JSON Lines in the state dir),
 * `InMemoryEventLog` (tests, a single process).
 */
export interface EventLog {
  /** Where the log lives, for logs and /readyz. */
  readonly name: string;
  /** Opens the log (creating it when missing); resolves with the last sequence number (0 when empty). */
  open(): Promise<number>;
  /** Appends durably (written and flushed before resolving); resolves with the event's sequence number. */
  append(event: CmdbEvent): Promise<number>;
  /** Events with a sequence number above `after`, oldest first, at most `limit` (default: all). */
  read(after: number, limit?: number): Promise<LoggedEvent[]>;
  /**
   * Every event above `after`, then each later one as it is appended (by this
   * process or, for a shared log, another), until `signal` aborts.
   */
  tail(after: number, signal: AbortSignal): AsyncIterable<LoggedEvent>;
  /** The last sequence number appended (0 when empty). */
  lastSeq(): number;
  close(): Promise<void>;
}
