import { isCmdbError } from '../core/errors.ts';
import type { AnyStep, ChangeInput, Evaluation, EvaluationContext, FindingKey, Findings, StepFailure } from './Evaluation.ts';
import { approvalsStep } from './steps/approvals.ts';
import { conflictsStep } from './steps/conflicts.ts';
import { decideStep, internalDecision } from './steps/decide.ts';
import { diffStep } from './steps/diff.ts';
import { impactStep } from './steps/impact.ts';
import { loadStep } from './steps/load.ts';
import { policiesStep, rulesStep } from './steps/policies.ts';
import { runbooksStep } from './steps/runbooks.ts';
import { validateStep } from './steps/validate.ts';
import { windowsStep } from './steps/windows.ts';

/** The one key several steps add to: their lists are appended. */
const APPENDED: ReadonlySet<FindingKey> = new Set(['violations']);

/**
 * Problems of a step list, empty when it is sound: a step that reads a key no
 * earlier step adds, a key added by two steps (other than `violations`), two
 * steps of one name, a last step other than `decide` (which runs even after a
 * failure, so it must be last).
 */
export function stepOrderProblems(steps: readonly AnyStep[]): string[] {
  const problems: string[] = [];
  const addedBy = new Map<FindingKey, string>();
  const names = new Set<string>();
  for (const step of steps) {
    if (names.has(step.name)) problems.push(`two steps are named "${step.name}"`);
    names.add(step.name);
    for (const key of step.reads)
      if (!addedBy.has(key)) problems.push(`step "${step.name}" reads "${key}", which no earlier step adds`);
    for (const key of step.adds) {
      const earlier = addedBy.get(key);
      if (earlier !== undefined && !APPENDED.has(key)) problems.push(`step "${step.name}" adds "${key}", which step "${earlier}" already added`);
      else if (earlier === undefined) addedBy.set(key, step.name);
    }
  }
  if (steps.at(-1)?.name !== decideStep.name) problems.push(`the last step must be "${decideStep.name}"`);
  return problems;
}

/** The steps, after checking their order (stepOrderProblems); throws on the first problem. */
export function orderedSteps(steps: readonly AnyStep[]): readonly AnyStep[] {
  const problems = stepOrderProblems(steps);
  if (problems.length) throw new Error(`the change evaluation's steps are out of order: ${problems.join('; ')}`);
  return steps;
}

/**
 * The change evaluation, in the order docs/architecture.md gives: load (base, head, head graph),
 * validate, diff, impact; policies (rules of the base commit, then windows,
 * which policies see, then the policies themselves), conflicts; approvals;
 * runbooks of the changed and impacted entities;
 * `decide` always last. Checked when this module loads.
 */
export const STEPS: readonly AnyStep[] = orderedSteps([
  loadStep,
  validateStep,
  diffStep,
  impactStep,
  rulesStep,
  windowsStep,
  policiesStep,
  conflictsStep,
  approvalsStep,
  runbooksStep,
  decideStep,
]);

/** What a step sees: the input and the keys it declares it reads, nothing else. */
function viewOf(ev: Evaluation, step: AnyStep): Evaluation {
  const view: Record<string, unknown> = { input: ev.input };
  for (const key of step.reads) view[key] = ev[key];
  if (ev.failure) view.failure = ev.failure;
  return view as unknown as Evaluation;
}

/** Adds a step's findings: appends `violations`, sets the other keys it declares; a key it does not declare is a bug (nothing is added). */
function merge(ev: Evaluation, step: AnyStep, added: Partial<Findings>): void {
  const declared = new Set<string>(step.adds);
  const entries = Object.entries(added);
  const undeclared = entries.find(([key]) => !declared.has(key));
  if (undeclared) throw new Error(`step "${step.name}" returned "${undeclared[0]}", which it does not declare it adds`);
  for (const [key, value] of entries) {
    if (key === 'violations') ev.violations.push(...(value as Findings['violations']));
    else (ev as unknown as Record<string, unknown>)[key] = value;
  }
}

const failureOf = (step: string, error: unknown): StepFailure => ({
  step,
  message: isCmdbError(error) ? error.format() : error instanceof Error ? error.message : String(error),
});

/**
 * Evaluates a change: starts every step's prefetch (reads known from the
 * input alone), then runs the steps in order, each on what it reads, merging
 * what it returns. A step that throws stops the evaluation: the steps after it
 * are skipped except the last (`decide`), which decides `internal` and the
 * failure names the step and the message. Never throws for a step's error;
 * throws for a step list out of order (other than STEPS, checked on load).
 */
export async function evaluateChange(input: ChangeInput, context: EvaluationContext, steps: readonly AnyStep[] = STEPS): Promise<Evaluation> {
  if (steps !== STEPS) orderedSteps(steps);
  const evaluation: Evaluation = { input, violations: [] };
  for (const step of steps) {
    try {
      step.prefetch?.(input, context);
    } catch {
      /* a prefetch only saves time; the step reads again what it needs */
    }
  }
  const last = steps.length - 1;
  for (let i = 0; i <= last; i++) {
    const step = steps[i];
    if (evaluation.failure && i !== last) continue;
    const started = performance.now();
    let error: unknown;
    try {
      merge(evaluation, step, await step.run(viewOf(evaluation, step) as never, context));
    } catch (e) {
      error = e;
      if (evaluation.failure) {
        evaluation.decision = internalDecision;
      } else {
        evaluation.failure = failureOf(step.name, e);
        if (i === last) evaluation.decision = internalDecision;
      }
    }
    context.onStep?.(error === undefined ? { step: step.name, ms: performance.now() - started } : { step: step.name, ms: performance.now() - started, error });
  }
  return evaluation;
}
