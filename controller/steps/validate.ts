import { observeViolations } from '../../catalog/observe.ts';
import type { Snapshot, Violation } from '../../catalog/types.ts';
import { sectionViolations } from '../configSections.ts';
import { defineStep } from '../Evaluation.ts';

const key = (v: Violation) => `${v.rule}\0${v.ref ?? ''}\0${v.file ?? ''}\0${v.message}`;

/** Names the change as the cause of references to entities it removes. */
function explainRemoval(v: Violation, base: Snapshot, head: Snapshot): Violation {
  const target = v.rule === 'dangling-reference' ? v.target : undefined;
  if (!target || !base.entities.has(target) || head.entities.has(target)) return v;
  return { ...v, message: v.message.replace('which does not exist', 'which this change removes') };
}

/**
 * The head's problems (schema, references, duplicates, observe bindings to
 * clusters the reconcilers cannot use, cmdb.yaml and the sections
 * `context.configSections` checks, dependsOn cycles). A problem the base
 * already had is reported as a warning: the change did not cause it. Cycles
 * come from the head graph the load step loaded.
 */
export const validateStep = defineStep({
  name: 'validate',
  reads: ['base', 'head', 'graph'],
  adds: ['violations'],
  run: async ({ base, head, graph }, context) => {
    const sections = (snapshot: Snapshot) => (context.configSections?.length ? sectionViolations(context.reader.configOf(snapshot), context.configSections) : []);
    const before = new Set([...base.violations, ...observeViolations(base), ...sections(base)].map(key));
    const violations: Violation[] = [];
    for (const v of [...head.violations, ...observeViolations(head), ...sections(head)]) {
      const own = explainRemoval(v, base, head);
      violations.push(before.has(key(v)) && v.severity === 'error' ? { ...own, severity: 'warning', message: `${own.message} (already on the base commit)` } : own);
    }
    for (const members of await graph.dependencyCycles()) violations.push(cycleViolation(members, head));
    return { violations };
  },
});

/** One violation per dependsOn cycle, at the first member's reference into the cycle. */
export function cycleViolation(members: string[], snapshot: Snapshot): Violation {
  const inCycle = new Set(members);
  const first = members[0];
  const rel = snapshot.relations.find((r) => r.type === 'dependsOn' && r.source === first && inCycle.has(r.target));
  return {
    rule: 'cycle',
    severity: 'error',
    message: `dependsOn cycle: ${[...members, members[0]].join(' -> ')}`,
    ref: first,
    ...(rel?.location ?? {}),
  };
}
