import type { Snapshot } from '../../catalog/types.ts';
import { overridingReviewer } from '../../policies/approvals.ts';
import { classifyChange } from '../../policies/changeType.ts';
import { Directory } from '../../policies/directory.ts';
import { evaluatePolicies, type PolicyFinding } from '../../policies/evaluate.ts';
import { celChange, celImpact } from '../../policies/facts.ts';
import { gitSourceLoader, placeViolations, type PendingViolation } from '../../policies/positions.ts';
import { assessRisk } from '../../policies/risk.ts';
import { rulebookOf } from '../../policies/rulebook.ts';
import type { CatalogReader } from '../../catalog/CatalogReader.ts';
import { defineStep, type ChangeInput, type PolicyRun } from '../Evaluation.ts';

const ALREADY = ' (already on the base commit)';

/**
 * Problems of the head's policy and window definitions. One the base already
 * had (same document, or same cmdb.yaml message) is a warning: the change did
 * not cause it.
 */
function headDefinitionProblems(base: Snapshot, head: Snapshot, reader: CatalogReader): PendingViolation[] {
  const baseMessages = new Set(rulebookOf(base, reader.configOf(base)).problems.map((p) => p.violation.message));
  return rulebookOf(head, reader.configOf(head)).problems.map((p) => {
    const before = p.at ? base.entities.get(p.at.entity.ref) : undefined;
    const unchanged = p.at ? before?.source.blob === p.at.entity.source.blob && before.source.document === p.at.entity.source.document : baseMessages.has(p.violation.message);
    return unchanged && p.violation.severity === 'error' ? { ...p, violation: { ...p.violation, severity: 'warning', message: p.violation.message + ALREADY } } : p;
  });
}

/**
 * Sets up the policy steps: the rulebook and directory of the base commit,
 * the CEL facts of the change, and the evaluation time. Type-checks the head's
 * policies and windows: a broken one is a violation at its file, line and
 * column, and is never evaluated.
 */
export const rulesStep = defineStep({
  name: 'rules',
  reads: ['base', 'head', 'diff', 'impact'],
  adds: ['policyRun', 'violations'],
  run: async ({ input, base, head, diff, impact }, { reader }) => {
    const rulebook = rulebookOf(base, reader.configOf(base));
    const loader = gitSourceLoader(reader.git);
    const violations = await placeViolations(headDefinitionProblems(base, head, reader), loader);
    const now = input.at ?? new Date();
    const windowEntities = new Map(rulebook.windows.map((w) => [w.origin.ref, w.origin.entity]));
    const policyRun: PolicyRun = {
      now,
      rulebook,
      directory: Directory.of(base),
      loader,
      activation: { change: celChange({ diff, base, head, context: input }), impact: celImpact(impact), now },
      entityOf: (ref) => head.entities.get(ref) ?? base.entities.get(ref) ?? windowEntities.get(ref),
    };
    return { policyRun, violations };
  },
});

/** A soft-mandatory failure one of the policy's owners approved is a warning. */
function withOverride(f: PolicyFinding, input: ChangeInput, run: PolicyRun): PolicyFinding {
  if (f.policy.enforcement !== 'soft-mandatory' || f.violation.severity !== 'error') return f;
  const reviewer = overridingReviewer(f.policy, { approvedBy: input.approvedBy ?? [], author: input.author, directory: run.directory });
  if (!reviewer) return f;
  return { ...f, violation: { ...f.violation, severity: 'warning', message: `${f.violation.message} (overridden: ${reviewer} approved for the policy's owners)` } };
}

/**
 * Evaluates every policy (CEL) on the change, with the active windows:
 * violations with their enforcement (soft-mandatory ones an owner approved
 * become warnings), the matched policies, the risk and the change type.
 */
export const policiesStep = defineStep({
  name: 'policies',
  reads: ['diff', 'impact', 'policyRun', 'activeWindows'],
  adds: ['policyResult', 'policies', 'risk', 'riskReasons', 'changeType', 'standardBy', 'violations'],
  run: async ({ input, diff, impact, policyRun: run, activeWindows }) => {
    const result = evaluatePolicies({ policies: run.rulebook.policies, activation: { ...run.activation, windows: activeWindows }, entityOf: run.entityOf });
    const violations = await placeViolations(result.findings.map((f) => withOverride(f, input, run)), run.loader);
    const { risk, reasons } = assessRisk({
      matched: result.matched,
      maxCriticality: impact.maxCriticality,
      impacted: impact.entities.length,
      config: run.rulebook.config,
    });
    const standardPolicies = result.matched.filter((p) => p.standard && !result.failed.has(p));
    const kind = classifyChange({ labels: input.labels ?? [], risk, changes: diff.changes, standardPolicies });
    return {
      policyResult: result,
      policies: result.matched.map((p) => p.name),
      risk,
      riskReasons: reasons,
      changeType: kind.changeType,
      standardBy: kind.standardBy,
      violations,
    };
  },
});
