import type { CheckKind } from './types.ts';

/** One step of a reconcile pass: reads and adds to the pass, in order. */
export interface PassStep<P> {
  name: string;
  run(pass: P): Promise<void> | void;
}

/** Receives how long each step took (a metrics histogram, given at construction). */
export type StepTimer = (check: CheckKind, step: string, seconds: number) => void;

/**
 * Runs a reconcile pass for one binding: the steps in order, each timed,
 * stopping at the first that throws; then `summarize` derives the result
 * from the pass, always, with the error when a step threw (Flux's
 * reconcile and deferred summarize).
 */
export async function runPass<P, R>(
  check: CheckKind,
  steps: readonly PassStep<P>[],
  pass: P,
  summarize: (pass: P, error: unknown) => R,
  timer?: StepTimer,
): Promise<R> {
  let error: unknown;
  for (const step of steps) {
    const started = performance.now();
    try {
      await step.run(pass);
    } catch (e) {
      error = e ?? new Error(`step ${step.name} failed`);
    } finally {
      timer?.(check, step.name, (performance.now() - started) / 1000);
    }
    if (error !== undefined) break;
  }
  return summarize(pass, error);
}
