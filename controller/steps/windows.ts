import { placeViolations } from '../../policies/positions.ts';
import { evaluateWindows, windowSubjects } from '../../policies/windows.ts';
import { defineStep } from '../Evaluation.ts';

/**
 * Change windows of the base commit: those active now that apply to an entity
 * the change touches or impacts (policies see them as `windows`), and the
 * next maintenance window that applies.
 */
export const windowsStep = defineStep({
  name: 'windows',
  reads: ['head', 'diff', 'impact', 'policyRun'],
  adds: ['windows', 'activeWindows', 'violations'],
  run: async ({ head, diff, impact, policyRun: run }) => {
    const result = evaluateWindows({
      windows: run.rulebook.windows,
      subjects: () => windowSubjects({ changes: diff.changes, impact, head }),
      change: run.activation.change,
      impact: run.activation.impact,
      now: run.now,
    });
    return { windows: result.outcome, activeWindows: result.active, violations: await placeViolations(result.problems, run.loader) };
  },
});
