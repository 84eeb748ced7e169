import { defineStep, type Decision, type Evaluation } from '../Evaluation.ts';

/** The decision of an evaluation a step failed in: reported as a failure, never as a pass. */
export const internalDecision: Decision = 'internal';

/**
 * The one decision everything reported derives from: `internal` when a step
 * failed, else `blocked` when any violation is an error (hard-mandatory,
 * soft-mandatory not overridden, validation), else `needs-approval` when a
 * required approval is missing, else `pass`. Risk and change type are set by
 * the policies step.
 */
export function decide(ev: Pick<Evaluation, 'violations' | 'approvals' | 'failure'>): Decision {
  if (ev.failure) return internalDecision;
  if (ev.violations.some((v) => v.severity === 'error')) return 'blocked';
  if (ev.approvals && !ev.approvals.satisfied) return 'needs-approval';
  return 'pass';
}

/** Always the last step: it runs even after another step failed (then `violations` and `approvals` may be partial or missing). */
export const decideStep = defineStep({
  name: 'decide',
  reads: ['violations', 'approvals'],
  adds: ['decision'],
  run: async (ev: Pick<Evaluation, 'violations' | 'approvals' | 'failure'>) => ({ decision: decide({ ...ev, violations: ev.violations ?? [] }) }),
});
