import type { RefString } from '../core/types.ts';
import type { Binding, Finding, FindingChange, HttpTarget, KubernetesTarget } from './types.ts';

/** Identity of a binding: the check, the entity and the target. */
export function bindingKey(check: 'kubernetes', ref: RefString, target: KubernetesTarget): string;
export function bindingKey(check: 'http', ref: RefString, target: HttpTarget): string;
export function bindingKey(check: Binding['check'], ref: RefString, target: KubernetesTarget | HttpTarget): string {
  if (check === 'http') return `http ${ref} ${(target as HttpTarget).url}`;
  const t = target as KubernetesTarget;
  return `kubernetes ${ref} ${t.cluster} ${t.apiVersion} ${t.kind} ${t.namespace ?? ''}/${t.name}`;
}

/** Identity of a finding within the current state: its binding and, for a drift, the field. */
export function findingKey(bindingKey: string, finding: Finding): string {
  return 'field' in finding ? `${bindingKey} ${finding.field}` : `${bindingKey} ${finding.finding}`;
}

const same = (a: Finding, b: Finding): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The current findings of a running reconciler, by binding. `replace` sets a
 * binding's findings and reports what changed; the one place both
 * reconcilers derive their `onChange` events from.
 */
export class FindingBook {
  private readonly byBinding = new Map<string, Map<string, Finding>>();

  /** Sets the findings of one binding; returns the changes, in key order. */
  replace(binding: string, findings: readonly Finding[], reason: 'fixed' | 'binding-removed' = 'fixed'): FindingChange[] {
    const before = this.byBinding.get(binding) ?? new Map<string, Finding>();
    const after = new Map(findings.map((f) => [findingKey(binding, f), f] as const));
    const changes: FindingChange[] = [];
    for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
      const previous = before.get(key);
      const finding = after.get(key);
      if (previous && !finding) changes.push({ type: 'resolved', key, previous, reason });
      else if (!previous && finding) changes.push({ type: 'opened', key, finding });
      else if (previous && finding && !same(previous, finding)) changes.push({ type: 'changed', key, finding, previous });
    }
    if (after.size === 0) this.byBinding.delete(binding);
    else this.byBinding.set(binding, after);
    return changes;
  }

  /** Removes a binding: its findings are resolved with reason `binding-removed`. */
  remove(binding: string): FindingChange[] {
    return this.replace(binding, [], 'binding-removed');
  }

  /** Every current finding, ordered by binding key then finding key. */
  all(): Finding[] {
    const out: Finding[] = [];
    for (const binding of [...this.byBinding.keys()].sort()) {
      const findings = this.byBinding.get(binding)!;
      for (const key of [...findings.keys()].sort()) out.push(findings.get(key)!);
    }
    return out;
  }
}
