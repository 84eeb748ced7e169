import type { Entity, RefString, Violation } from '../catalog/types.ts';
import { runExpression, type CelChangedEntity, type PolicyActivation } from './cel.ts';
import type { EntityPlace, PendingViolation } from './positions.ts';
import type { CompiledExpression, CompiledRule, Explanation, Policy } from './types.ts';

/** A violation of a policy, not yet placed at a file position. */
export interface PolicyFinding extends PendingViolation {
  policy: Policy;
}

export interface PolicyEvaluation {
  /** Policies whose `match` held (or failed to evaluate: fail closed), in rulebook order. */
  matched: Policy[];
  /** Matched policies with at least one failed rule. */
  failed: Set<Policy>;
  findings: PolicyFinding[];
}

export interface EvaluatePoliciesOptions {
  policies: readonly Policy[];
  activation: PolicyActivation;
  /** An entity of the head (else the base, else a window) by ref: where violations are reported. */
  entityOf(ref: RefString): Entity | undefined;
}

const severityOf = (p: Policy): Violation['severity'] => (p.enforcement === 'advisory' ? 'warning' : 'error');

function finding(policy: Policy, message: string, ref: RefString, at?: EntityPlace): PolicyFinding {
  return { policy, violation: { rule: 'policy', severity: severityOf(policy), message, ref, policy: policy.name, enforcement: policy.enforcement }, at };
}

/** Where a policy's own expression is (config-repo policies only). */
const expressionPlace = (policy: Policy, expression: CompiledExpression): EntityPlace | undefined =>
  policy.origin.entity ? { entity: policy.origin.entity, pointer: expression.pointer } : undefined;

/**
 * The changed entities a failed rule is about: those for which the rule fails
 * on a change made of that entity alone, provided it holds for an empty
 * change. Empty when the rule is about the change as a whole.
 */
function culprits(rule: CompiledRule, activation: PolicyActivation): CelChangedEntity[] {
  const alone = (entities: CelChangedEntity[]) => runExpression(rule.expression, { ...activation, change: activation.change.withEntities(entities) });
  const empty = alone([]);
  if (!empty.ok || !empty.value) return [];
  return activation.change.entities.filter((e) => {
    const r = alone([e]);
    return !r.ok || !r.value;
  });
}

/** One finding per explanation, or the bare message at a fallback place. */
function explained(policy: Policy, rule: CompiledRule, explanations: Explanation[], ref: RefString, fallback?: EntityPlace): PolicyFinding[] {
  if (explanations.length === 0) return [finding(policy, rule.message, ref, fallback)];
  return explanations.map((x) => finding(policy, `${rule.message}: ${x.note}`, x.place?.entity.ref ?? ref, x.place ?? fallback));
}

/** Findings of one failed rule, each at the entity (or field) it concerns. */
function ruleFindings(policy: Policy, rule: CompiledRule, options: EvaluatePoliciesOptions): PolicyFinding[] {
  const { activation, entityOf } = options;
  const blamed = culprits(rule, activation);
  if (blamed.length === 0) {
    const explanations = policy.explain?.({ activation, entityOf }) ?? [];
    return explained(policy, rule, explanations, policy.origin.ref, expressionPlace(policy, rule.expression));
  }
  return blamed.flatMap((e) => {
    const entity = entityOf(e.ref);
    const place = entity ? { entity, pointer: '/metadata/name' } : undefined;
    return explained(policy, rule, policy.explain?.({ entity: e, activation, entityOf }) ?? [], e.ref, place);
  });
}

/**
 * Evaluates policies against one change: which match, and a finding for every
 * failed rule (a rule that cannot be evaluated fails, with the reason).
 * Findings carry the policy's enforcement; advisory ones are warnings.
 */
export function evaluatePolicies(options: EvaluatePoliciesOptions): PolicyEvaluation {
  const { policies, activation } = options;
  const result: PolicyEvaluation = { matched: [], failed: new Set(), findings: [] };
  for (const policy of policies) {
    if (policy.match) {
      const m = runExpression(policy.match, activation);
      if (!m.ok) {
        result.failed.add(policy);
        result.findings.push(finding(policy, `${policy.name}: spec.match could not be evaluated (${m.message}); the policy is taken to match`, policy.origin.ref, expressionPlace(policy, policy.match)));
      } else if (!m.value) continue;
    }
    result.matched.push(policy);
    for (const rule of policy.rules) {
      const r = runExpression(rule.expression, activation);
      if (r.ok && r.value) continue;
      result.failed.add(policy);
      if (!r.ok) result.findings.push(finding(policy, `${rule.message} (the rule could not be evaluated: ${r.message})`, policy.origin.ref, expressionPlace(policy, rule.expression)));
      else result.findings.push(...ruleFindings(policy, rule, options));
    }
  }
  return result;
}
