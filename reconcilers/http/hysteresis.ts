import type { ProbeOutcome } from './probe.ts';

/** What a binding's recent probes add up to. */
export interface ProbeState {
  /** Consecutive failed probes up to now. */
  failures: number;
  /** Consecutive good probes up to now. */
  successes: number;
  /** The reported problem, while reported. */
  reported?: { finding: 'unhealthy' | 'unknown'; message: string };
}

export const INITIAL_PROBE_STATE: ProbeState = { failures: 0, successes: 0 };

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

/**
 * The state after one more probe: reported once `failureThreshold`
 * consecutive probes failed (as the last one failed), cleared once
 * `successThreshold` consecutive probes succeeded. While reported, each
 * failure refreshes the report. Pure.
 */
export function nextProbeState(state: ProbeState, outcome: ProbeOutcome, thresholds: Thresholds): ProbeState {
  if (outcome.ok) {
    const successes = state.successes + 1;
    const cleared = state.reported !== undefined && successes >= thresholds.successThreshold;
    return { failures: 0, successes, ...(state.reported && !cleared ? { reported: state.reported } : {}) };
  }
  const failures = state.failures + 1;
  const report = state.reported !== undefined || failures >= thresholds.failureThreshold;
  return { failures, successes: 0, ...(report ? { reported: { finding: outcome.finding, message: outcome.message } } : {}) };
}
