import { placeViolations } from '../../policies/positions.ts';
import { evaluateWindows, windowSubjects } from '../../policies/windows.ts';
import type { Step } from '../Evaluation.ts';

/**
 * Change windows of the base commit: those active now that apply to an entity
 * the change touches or impacts (policies see them as `windows`), and the
 * next maintenance window that applies.
 */
export const windowsStep: Step = async (ev) => {
  const run = ev.policyRun!;
  const result = evaluateWindows({
    windows: run.rulebook.windows,
    subjects: () => windowSubjects({ changes: ev.diff!.changes, impact: ev.impact!, head: ev.head! }),
    change: run.activation.change,
    impact: run.activation.impact,
    now: run.now,
  });
  run.activation.windows = result.active;
  ev.windows = result.outcome;
  ev.violations.push(...(await placeViolations(result.problems, run.loader)));
};
