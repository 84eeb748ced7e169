import { approvalProgress, type ChangeReport } from '../report.ts';
import type { StatusInput } from './GitHubApi.ts';

export const STATUS_CONTEXT = 'cmdb/approval';

/** `cmdb/approval`: pending until the required approvals are given, success on pass, failure when blocked, error when the change could not be evaluated. */
export function approvalStatus(report: ChangeReport, targetUrl?: string): StatusInput {
  const base = { sha: report.head, context: STATUS_CONTEXT, targetUrl };
  if (report.decision === 'internal') return { ...base, state: 'error', description: 'Could not evaluate the change: see the cmdb/change check' };
  if (report.decision === 'blocked') {
    const errors = report.violations.filter((v) => v.severity === 'error').length;
    return { ...base, state: 'failure', description: `Blocked by ${errors} problem${errors === 1 ? '' : 's'}: see the cmdb/change check` };
  }
  if (report.decision === 'needs-approval') {
    const missing = report.approvals.required.filter((r) => r.satisfiedBy.length < r.count).map((r) => `${r.from} ${approvalProgress(r)}`);
    return { ...base, state: 'pending', description: `Waiting for approvals: ${missing.join(', ')}` };
  }
  const given = report.approvals.required.map((r) => `${r.from} ${approvalProgress(r)}`);
  return { ...base, state: 'success', description: given.length ? `Approved: ${given.join(', ')}` : `No approval needed (${report.changeType} change)` };
}
