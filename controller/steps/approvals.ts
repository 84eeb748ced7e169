import type { Violation } from '../../catalog/types.ts';
import { requiredApprovals, satisfyApprovals } from '../../policies/approvals.ts';
import { ownershipOf } from '../../policies/facts.ts';
import { defineStep } from '../Evaluation.ts';

/**
 * Approvals required (the union of the matched policies' approvals) against
 * those given; the author never counts. A standard change is pre-approved:
 * it requires none. A required group missing from the base commit is a
 * warning (the requirement stays, unsatisfiable).
 */
export const approvalsStep = defineStep({
  name: 'approvals',
  reads: ['base', 'head', 'diff', 'impact', 'policyRun', 'policyResult', 'changeType'],
  adds: ['approvals', 'violations'],
  run: async ({ input, base, head, diff, impact, policyRun: run, policyResult, changeType }) => {
    if (changeType === 'standard') return { approvals: { required: [], satisfied: true }, violations: [] };
    const ownership = () => ownershipOf({ changes: diff.changes, impacted: impact.entities.map((e) => e.ref), base, head });
    const required = requiredApprovals(policyResult.matched, ownership);
    const approvals = satisfyApprovals(required, { approvedBy: input.approvedBy ?? [], author: input.author, directory: run.directory });
    const violations: Violation[] = required
      .filter((r) => !run.directory.has(r.from))
      .map((r) => ({
        rule: 'approvals',
        severity: 'warning',
        message: `nobody can approve for ${r.from}: it does not exist on the base commit; create it, or change the policy that requires it (${r.reason.split(':')[0]})`,
        ref: r.from,
      }));
    return { approvals, violations };
  },
});
