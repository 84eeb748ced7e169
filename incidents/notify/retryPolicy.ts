/**
 * When a failed notification is tried again, and when it is given up.
 * Back-off doubles from `minDelayMs` to `maxDelayMs`, each delay drawn
 * between half and all of that value (jitter, so a receiver coming back is
 * not hit by every sender at once). A receiver's Retry-After replaces the
 * back-off (at least `minDelayMs`, at most `maxRetryAfterMs`).
 */
export interface RetryPolicy {
  /** First back-off (default 1 s). */
  minDelayMs: number;
  /** Longest back-off (default 10 min). */
  maxDelayMs: number;
  /** A notification still failing this long after it was created is given up (default 24 h). */
  maxAgeMs: number;
  /** Given up after this many failed attempts (default: no limit, only the age counts). */
  maxAttempts: number;
  /** The longest Retry-After honoured (default 1 h). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  minDelayMs: 1_000,
  maxDelayMs: 600_000,
  maxAgeMs: 86_400_000,
  maxAttempts: Number.POSITIVE_INFINITY,
  maxRetryAfterMs: 3_600_000,
};

/** The delay before attempt `attempts + 1`, after `attempts` failed ones (1 or more). `random` in [0, 1). */
export function retryDelay(policy: RetryPolicy, attempts: number, random: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxRetryAfterMs, Math.max(policy.minDelayMs, retryAfterMs));
  const full = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + (random * full) / 2);
}

/** Whether a notification created at `createdAt`, having failed `attempts` times by `now`, is given up. */
export function givenUp(policy: RetryPolicy, createdAt: string, attempts: number, now: Date): boolean {
  const age = now.getTime() - Date.parse(createdAt);
  return attempts >= policy.maxAttempts || !(age < policy.maxAgeMs);
}
