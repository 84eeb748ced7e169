/**
 * Durations of the `incidents` settings: one or more whole numbers each with
 * a unit, largest first or not (`500ms`, `30s`, `2m`, `1h30m`, `7d`, `2w`).
 * Strict: no unit, a fraction, a sign or spaces inside are not durations.
 * (server/leader/timing.ts parses Go durations, which have no days, for the
 * leader-election flags; it sits above this layer.)
 */
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+)(ms|s|m|h|d|w)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds, or undefined when `text` is not a duration (or overflows a safe integer). */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

export const DURATION_HINT = 'a duration such as 30s, 2m, 1h30m or 7d (whole numbers with ms, s, m, h, d or w)';
