import type { Decision, Evaluation, Step } from '../Evaluation.ts';

/** The one decision everything reported derives from. */
export function decide(ev: Evaluation): Decision {
  if (ev.violations.some((v) => v.severity === 'error')) return 'blocked';
  return 'pass';
}

export const decideStep: Step = async (ev) => {
  ev.decision = decide(ev);
};
