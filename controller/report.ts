import type { ChangeOp, Criticality, RefString, Violation } from '../catalog/types.ts';
import type { Decision, Evaluation } from './Evaluation.ts';

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
  violations: Violation[];
  decision: Decision;
}

/** Sorted errors first, then by file and line. */
const bySeverity = (a: Violation, b: Violation) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1);

/** Projects a decided evaluation to its report. */
export function toReport(ev: Evaluation): ChangeReport {
  if (!ev.decision || !ev.diff || !ev.impact) throw new Error('toReport needs a fully evaluated change');
  return {
    base: ev.diff.base,
    head: ev.diff.head,
    changes: ev.diff.changes.map(({ ref, kind, op, file, fields }) => ({ ref, kind: kind.toLowerCase(), op, file, fields })),
    impact: {
      entities: ev.impact.entities.map(({ ref, kind, distance, via, criticality, owner }) => ({ ref, kind, distance, via, criticality, owner })),
      maxCriticality: ev.impact.maxCriticality ?? null,
      owners: ev.impact.owners,
    },
    violations: [...ev.violations].sort(bySeverity),
    decision: ev.decision,
  };
}

/** `file:line:column: message` (or the ref when there is no file). */
export function formatViolation(v: Violation): string {
  const where = v.file ? [v.file, v.line, v.column].filter((x) => x !== undefined).join(':') : (v.ref ?? '');
  return `${where ? `${where}: ` : ''}${v.severity === 'warning' ? 'warning: ' : ''}${v.message} [${v.rule}]`;
}
