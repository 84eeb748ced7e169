import { CmdbError } from '../../core/errors.ts';

/** The three durations of client-go's leader election, in milliseconds. */
export interface LeaderElectionTiming {
  /**
   * How long a non-leader waits, from the moment it last saw the Lease change, before it may take
   * it over. Written into the Lease as whole seconds, so it must be a whole number of seconds.
   */
  leaseDurationMs: number;
  /**
   * How long the leader keeps trying to renew, counted from the start of its last successful
   * renewal, before it stops leading. Must be shorter than the lease duration.
   */
  renewDeadlineMs: number;
  /** Pause between attempts (acquiring: jittered up to 2.2x; renewing: exact). */
  retryPeriodMs: number;
}

/** client-go's defaults: lease 15 s, renew deadline 10 s, retry 2 s. */
export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
});

/** client-go's JitterFactor: an acquiring candidate waits retryPeriod * (1 + random * 1.2). */
export const LEADER_ELECTION_JITTER = 1.2;

/**
 * The rules of client-go's NewLeaderElector, plus whole seconds for the lease duration (the Lease
 * stores seconds, and other candidates wait for what it stores). Throws a `config` CmdbError naming
 * the setting; `names` maps each field to the option a user wrote.
 */
export function validateLeaderElectionTiming(timing: LeaderElectionTiming, names: TimingNames = DEFAULT_TIMING_NAMES): LeaderElectionTiming {
  const fail = (message: string): never => {
    throw new CmdbError(`leader election: ${message}`, { code: 'config' });
  };
  for (const key of ['leaseDurationMs', 'renewDeadlineMs', 'retryPeriodMs'] as const) {
    const value = timing[key];
    if (!Number.isFinite(value) || value <= 0) fail(`${names[key]} must be a positive duration (got ${formatDuration(value)})`);
    // A timer waits at most 2^31 - 1 ms; a longer one fires after 1 ms, over and over.
    if (value > MAX_TIMER_MS) fail(`${names[key]} must be at most ${formatDuration(MAX_TIMER_MS - (MAX_TIMER_MS % 1000))}, the longest a timer waits (got ${formatDuration(value)})`);
  }
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timing;
  if (leaseDurationMs % 1000 !== 0) {
    fail(`${names.leaseDurationMs} must be a whole number of seconds, as the Lease stores it (got ${formatDuration(leaseDurationMs)})`);
  }
  if (leaseDurationMs <= renewDeadlineMs) {
    fail(`${names.leaseDurationMs} (${formatDuration(leaseDurationMs)}) must be greater than ${names.renewDeadlineMs} (${formatDuration(renewDeadlineMs)}), so that a leader that cannot renew stops before its lease can be taken over`);
  }
  if (renewDeadlineMs <= LEADER_ELECTION_JITTER * retryPeriodMs) {
    fail(`${names.renewDeadlineMs} (${formatDuration(renewDeadlineMs)}) must be greater than ${LEADER_ELECTION_JITTER} x ${names.retryPeriodMs} (${formatDuration(retryPeriodMs)})`);
  }
  return timing;
}

/** The name a user knows each setting by, for error messages. */
export type TimingNames = Record<keyof LeaderElectionTiming, string>;

export const DEFAULT_TIMING_NAMES: TimingNames = Object.freeze({
  leaseDurationMs: 'the lease duration',
  renewDeadlineMs: 'the renew deadline',
  retryPeriodMs: 'the retry period',
});

/** The longest delay a timer can wait (2^31 - 1 ms; Node fires a longer one after 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;

const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go-style duration (`15s`, `500ms`, `1m30s`, `1.5s`) in milliseconds; undefined when `text` is not one.
 * A unit is required, as with client-go's flags.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit];
  return Math.round(ms);
}

/** `15s`, `500ms`, `2.5s`: how errors and docs print a duration. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  return ms % 1000 === 0 || ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}
