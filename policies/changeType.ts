import type { EntityChange } from '../catalog/types.ts';
import { EMERGENCY_LABEL } from './builtin.ts';
import type { ChangeType, Policy, Risk, StandardScope } from './types.ts';

export interface ChangeClassification {
  changeType: ChangeType;
  /** For a standard change: the standard policies that pre-approve it. */
  standardBy: string[];
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A dotted-path glob: `*` is one path segment (or part of one), `**` any number. */
function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split('**')
    .map((part) => part.split('*').map(escapeRegExp).join('[^.]*'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/**
 * A changed field is in scope when a pattern matches it, or it lies under a
 * pattern (`spec.observe` covers `spec.observe.0.http`), or it is the parent a
 * trailing `.*` / `.**` names (lists compare whole: `spec.observe.*` covers `spec.observe`).
 */
export function fieldInScope(field: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    if (globRegExp(p).test(field)) return true;
    if (field.startsWith(`${p}.`) && !p.includes('*')) return true;
    const parent = p.replace(/\.\*\*?$/, '');
    return parent !== p && parent === field;
  });
}

/** Whether a standard policy's scope pre-approves one entity change. Added and removed entities need a scope without `fields`. */
export function changeInScope(change: EntityChange, scope: StandardScope | undefined): boolean {
  if (!scope) return true;
  if (scope.kinds && !scope.kinds.includes(change.kind.toLowerCase())) return false;
  if (!scope.fields) return true;
  return change.op === 'modified' && change.fields.every((f) => fieldInScope(f, scope.fields!));
}

/**
 * Change type: `emergency` when labelled so; `standard` when the risk is low
 * and every entity change lies in the scope of some matched standard policy
 * whose rules all held; otherwise `normal`. An empty change is normal.
 */
export function classifyChange(options: {
  labels: readonly string[];
  risk: Risk;
  changes: readonly EntityChange[];
  /** Matched policies with `standard: true` and no failed rule. */
  standardPolicies: readonly Policy[];
}): ChangeClassification {
  const { labels, risk, changes, standardPolicies } = options;
  if (labels.includes(EMERGENCY_LABEL)) return { changeType: 'emergency', standardBy: [] };
  if (risk !== 'low' || changes.length === 0 || standardPolicies.length === 0) return { changeType: 'normal', standardBy: [] };
  const used = new Set<string>();
  for (const change of changes) {
    const by = standardPolicies.find((p) => changeInScope(change, p.scope));
    if (!by) return { changeType: 'normal', standardBy: [] };
    used.add(by.name);
  }
  return { changeType: 'standard', standardBy: [...used].sort() };
}
