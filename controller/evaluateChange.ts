import type { ChangeInput, Evaluation, EvaluationContext, Step } from './Evaluation.ts';
import { decideStep } from './steps/decide.ts';
import { diffStep } from './steps/diff.ts';
import { impactStep } from './steps/impact.ts';
import { loadStep } from './steps/load.ts';
import { validateStep } from './steps/validate.ts';

/** The change evaluation, in order; `decideStep` is always last. */
export const STEPS: readonly Step[] = [loadStep, validateStep, diffStep, impactStep, decideStep];

/** Evaluates a change: runs every step on one Evaluation and returns it decided. */
export async function evaluateChange(input: ChangeInput, context: EvaluationContext, steps: readonly Step[] = STEPS): Promise<Evaluation> {
  const evaluation: Evaluation = { input, violations: [] };
  for (const step of steps) await step(evaluation, context);
  return evaluation;
}
