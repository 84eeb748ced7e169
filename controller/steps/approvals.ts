import { requiredApprovals, satisfyApprovals } from '../../policies/approvals.ts';
import { ownershipOf } from '../../policies/facts.ts';
import type { Step } from '../Evaluation.ts';

/**
 * Approvals required (the union of the matched policies' approvals) against
 * those given; the author never counts. A standard change is pre-approved:
 * it requires none. A required group missing from the base commit is a
 * warning (the requirement stays, unsatisfiable).
 */
export const approvalsStep: Step = async (ev) => {
  const run = ev.policyRun!;
  if (ev.changeType === 'standard') {
    ev.approvals = { required: [], satisfied: true };
    return;
  }
  const ownership = () => ownershipOf({ changes: ev.diff!.changes, impacted: ev.impact!.entities.map((e) => e.ref), base: ev.base!, head: ev.head! });
  const required = requiredApprovals(run.result?.matched ?? [], ownership);
  ev.approvals = satisfyApprovals(required, { approvedBy: ev.input.approvedBy ?? [], author: ev.input.author, directory: run.directory });
  for (const r of required) {
    if (run.directory.has(r.from)) continue;
    ev.violations.push({
      rule: 'approvals',
      severity: 'warning',
      message: `nobody can approve for ${r.from}: it does not exist on the base commit; create it, or change the policy that requires it (${r.reason.split(':')[0]})`,
      ref: r.from,
    });
  }
};
