import type { ChangeInput, Evaluation, EvaluationContext, Step } from './Evaluation.ts';
import { approvalsStep } from './steps/approvals.ts';
import { conflictsStep } from './steps/conflicts.ts';
import { decideStep } from './steps/decide.ts';
import { diffStep } from './steps/diff.ts';
import { impactStep } from './steps/impact.ts';
import { loadStep } from './steps/load.ts';
import { policiesStep, rulesStep } from './steps/policies.ts';
import { validateStep } from './steps/validate.ts';
import { windowsStep } from './steps/windows.ts';

/**
 * The change evaluation, in DESIGN.md's order: load, validate, diff, impact;
 * policies (rules of the base commit, then windows, which policies see, then
 * the policies themselves), conflicts; approvals; `decideStep` always last.
 */
export const STEPS: readonly Step[] = [
  loadStep,
  validateStep,
  diffStep,
  impactStep,
  rulesStep,
  windowsStep,
  policiesStep,
  conflictsStep,
  approvalsStep,
  decideStep,
];

/** Evaluates a change: runs every step on one Evaluation and returns it decided. */
export async function evaluateChange(input: ChangeInput, context: EvaluationContext, steps: readonly Step[] = STEPS): Promise<Evaluation> {
  const evaluation: Evaluation = { input, violations: [] };
  for (const step of steps) await step(evaluation, context);
  return evaluation;
}
