import type { PassStep } from '../pass.ts';
import type { HttpBinding, HttpFinding } from '../types.ts';
import { nextProbeState, type ProbeState, type Thresholds } from './hysteresis.ts';
import { probe, type ProbeOutcome } from './probe.ts';
import type { Semaphore } from './semaphore.ts';

/** One pass over one HTTP binding: what the steps read and add. */
export interface HttpPass {
  binding: HttpBinding;
  /** The state before the pass; `judge` replaces it. */
  state: ProbeState;
  thresholds: Thresholds;
  limiter: Semaphore;
  /** Aborts the probe (stop, binding removed). */
  signal?: AbortSignal;
  /** Set by `probe`; undefined when aborted. */
  outcome?: ProbeOutcome;
}

/** The steps of an HTTP pass, in order. */
export const HTTP_PASS_STEPS: readonly PassStep<HttpPass>[] = [
  {
    name: 'probe',
    async run(pass) {
      pass.outcome = await pass.limiter.run(async () => (pass.signal?.aborted ? undefined : probe(pass.binding, pass.signal)));
    },
  },
  {
    name: 'judge',
    run(pass) {
      if (pass.outcome) pass.state = nextProbeState(pass.state, pass.outcome, pass.thresholds);
    },
  },
];

/** What a pass leaves: the state to keep and the binding's findings (undefined when aborted: nothing to say). */
export interface HttpPassResult {
  state: ProbeState;
  findings: HttpFinding[] | undefined;
}

/**
 * Derives the result of a pass, even after a step threw: a pass that could
 * not probe says `unknown` (the error goes to `onError` as well).
 */
export function summarizeHttpPass(pass: HttpPass, error: unknown): HttpPassResult {
  const { binding } = pass;
  const finding = (problem: { finding: 'unhealthy' | 'unknown'; message: string }): HttpFinding => ({
    ref: binding.ref,
    check: 'http',
    finding: problem.finding,
    target: { url: binding.target.url },
    message: problem.message,
  });
  if (error !== undefined) {
    const message = `${binding.method} ${binding.target.url}: the probe failed: ${error instanceof Error ? error.message : String(error)}`;
    return { state: pass.state, findings: [finding({ finding: 'unknown', message })] };
  }
  if (pass.outcome === undefined) return { state: pass.state, findings: undefined };
  return { state: pass.state, findings: pass.state.reported ? [finding(pass.state.reported)] : [] };
}
