import type { Decision, Evaluation, Step } from '../Evaluation.ts';

/**
 * The one decision everything reported derives from: `blocked` when any
 * violation is an error (hard-mandatory, soft-mandatory not overridden,
 * validation), else `needs-approval` when a required approval is missing,
 * else `pass`. Risk and change type are set by the policies step.
 */
export function decide(ev: Evaluation): Decision {
  if (ev.violations.some((v) => v.severity === 'error')) return 'blocked';
  if (ev.approvals && !ev.approvals.satisfied) return 'needs-approval';
  return 'pass';
}

export const decideStep: Step = async (ev) => {
  ev.decision = decide(ev);
};
