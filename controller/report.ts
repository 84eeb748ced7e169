import type { ChangeOp, Criticality, RefString, Violation } from '../catalog/types.ts';
import type { ApprovalRequirement, ChangeType, Conflict, Risk, WindowReport } from '../policies/types.ts';
import type { ChangeRunbook, Decision, Evaluation, StepFailure } from './Evaluation.ts';

/** The outcome of a change evaluation as reported (the JSON format of `cmdb check`). */
export interface ChangeReport {
  base: string;
  head: string;
  changes: Array<{ ref: RefString; kind: string; op: ChangeOp; file: string; fields: string[] }>;
  impact: {
    entities: Array<{ ref: RefString; kind: string; distance: number; via: RefString[]; criticality?: Criticality; owner?: RefString }>;
    maxCriticality: Criticality | null;
    owners: RefString[];
  };
  /** Errors first; policy violations carry `policy` and `enforcement`. */
  violations: Violation[];
  decision: Decision;
  risk: Risk;
  /** What raised the risk above low, highest first. */
  riskReasons: string[];
  changeType: ChangeType;
  /** For a standard change: the standard policies that pre-approve it. */
  standardBy: string[];
  /** Windows active at the evaluation time that apply to the change; the next maintenance window that applies. */
  windows: { active: WindowReport[]; next: WindowReport | null };
  approvals: { required: ApprovalRequirement[]; satisfied: boolean };
  /** Other open changes whose impact overlaps this one's. */
  conflicts: Conflict[];
  /** Names of the policies that matched. */
  policies: string[];
  /** Only when the decision is `internal`: the step that failed and its message. */
  failure?: StepFailure;
  /**
   * Runbooks of the changed and impacted entities, only when there are any.
   * Not part of the JSON format (JsonReporter leaves it out); the Markdown and
   * text reports list them.
   */
  runbooks?: ChangeRunbook[];
}

/** Sorted errors first, then by file and line. */
const bySeverity = (a: Violation, b: Violation) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1);

/**
 * Projects a decided evaluation to its report; parts of steps that did not run
 * take their neutral value (after a failure, the revisions are those given).
 */
export function toReport(ev: Evaluation): ChangeReport {
  if (!ev.decision) throw new Error('toReport needs a decided evaluation');
  const report: ChangeReport = {
    base: ev.diff?.base ?? ev.base?.commit ?? ev.input.base,
    head: ev.diff?.head ?? ev.head?.commit ?? ev.input.head,
    changes: (ev.diff?.changes ?? []).map(({ ref, kind, op, file, fields }) => ({ ref, kind: kind.toLowerCase(), op, file, fields })),
    impact: {
      entities: (ev.impact?.entities ?? []).map(({ ref, kind, distance, via, criticality, owner }) => ({ ref, kind, distance, via, criticality, owner })),
      maxCriticality: ev.impact?.maxCriticality ?? null,
      owners: ev.impact?.owners ?? [],
    },
    violations: [...ev.violations].sort(bySeverity),
    decision: ev.decision,
    risk: ev.risk ?? 'low',
    riskReasons: ev.riskReasons ?? [],
    changeType: ev.changeType ?? 'normal',
    standardBy: ev.standardBy ?? [],
    windows: ev.windows ?? { active: [], next: null },
    approvals: ev.approvals ?? { required: [], satisfied: true },
    conflicts: ev.conflicts ?? [],
    policies: ev.policies ?? [],
  };
  if (ev.decision === 'internal') report.failure = ev.failure ?? { step: 'decide', message: 'the evaluation failed' };
  else if (ev.runbooks?.length) report.runbooks = ev.runbooks;
  return report;
}

/** `the impact step failed: message` for a report whose decision is `internal`. */
export const describeFailure = (f: StepFailure | undefined): string => (f ? `the ${f.step} step failed: ${f.message}` : 'the evaluation failed');

/** `[rule]`, or `[policy NAME, ENFORCEMENT]` for a policy violation. */
export const violationTag = (v: Violation): string => (v.policy ? `[policy ${v.policy}, ${v.enforcement ?? 'hard-mandatory'}]` : `[${v.rule}]`);

/** `file:line:column: message [rule]` (or the ref when there is no file). */
export function formatViolation(v: Violation): string {
  const where = v.file ? [v.file, v.line, v.column].filter((x) => x !== undefined).join(':') : (v.ref ?? '');
  return `${where ? `${where}: ` : ''}${v.severity === 'warning' ? 'warning: ' : ''}${v.message} ${violationTag(v)}`;
}

/** `2 of 2`, `1 of 2` ... */
export const approvalProgress = (r: ApprovalRequirement): string => `${Math.min(r.satisfiedBy.length, r.count)} of ${r.count}`;

/** `name (freeze, 2026-12-20T00:00:00Z to 2027-01-04T00:00:00Z)`. */
export const describeWindow = (w: WindowReport): string => `${w.name} (${w.type}, ${w.start} to ${w.end})`;

/** Up to `max` refs, then "and N more". */
export const refList = (refs: readonly string[], max = 5): string =>
  `${refs.slice(0, max).join(', ')}${refs.length > max ? ` and ${refs.length - max} more` : ''}`;
