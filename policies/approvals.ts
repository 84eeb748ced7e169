import type { RefString } from '../catalog/types.ts';
import type { Directory } from './directory.ts';
import { OWNERS_OF_CHANGED, OWNERS_OF_IMPACTED, type ApprovalRequirement, type ApprovalsOutcome, type Policy } from './types.ts';

/** Owner -> the entities it owns, for the changed entities and for everything impacted (changed included). */
export interface Ownership {
  changed: ReadonlyMap<RefString, RefString[]>;
  impacted: ReadonlyMap<RefString, RefString[]>;
}

const MAX_LISTED = 3;
const listed = (refs: readonly RefString[]) =>
  `${refs.slice(0, MAX_LISTED).join(', ')}${refs.length > MAX_LISTED ? ` and ${refs.length - MAX_LISTED} more` : ''}`;

/**
 * The approvals a change needs: the union of the matched policies' `approvals`.
 * `owners-of-changed` / `owners-of-impacted` become one requirement per owner.
 * Requirements from the same principal merge: the highest count, every reason.
 * `ownership` may be a function: it is then called only if a policy needs owners.
 */
export function requiredApprovals(matched: readonly Policy[], ownership: Ownership | (() => Ownership)): Array<Omit<ApprovalRequirement, 'satisfiedBy'>> {
  let owned: Ownership | undefined = typeof ownership === 'function' ? undefined : ownership;
  const owners = () => (owned ??= (ownership as () => Ownership)());
  const merged = new Map<RefString, { count: number; reasons: string[] }>();
  const add = (from: RefString, count: number, reason: string) => {
    const r = merged.get(from);
    if (!r) merged.set(from, { count, reasons: [reason] });
    else {
      r.count = Math.max(r.count, count);
      if (!r.reasons.includes(reason)) r.reasons.push(reason);
    }
  };
  for (const policy of matched) {
    for (const a of policy.approvals) {
      if (a.from === OWNERS_OF_CHANGED || a.from === OWNERS_OF_IMPACTED) {
        const byOwner = a.from === OWNERS_OF_CHANGED ? owners().changed : owners().impacted;
        for (const [owner, refs] of byOwner) add(owner, a.count, `${policy.name}: owner of ${listed(refs)}`);
      } else add(a.from, a.count, `${policy.name}: ${policy.description || 'required by the policy'}`);
    }
  }
  return [...merged].map(([from, r]) => ({ from, count: r.count, reason: r.reasons.join('; ') })).sort((a, b) => a.from.localeCompare(b.from));
}

/** Reviewers that count: each login once (case-insensitive, first spelling kept), never the author. */
export function countingReviewers(approvedBy: readonly string[], author?: string): string[] {
  const seen = new Set<string>(author ? [author.toLowerCase()] : []);
  return approvedBy.filter((login) => {
    const key = login.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Fills in who satisfies each requirement (per the directory) and whether all are met. */
export function satisfyApprovals(
  required: ReadonlyArray<Omit<ApprovalRequirement, 'satisfiedBy'>>,
  options: { approvedBy: readonly string[]; author?: string; directory: Directory },
): ApprovalsOutcome {
  const reviewers = countingReviewers(options.approvedBy, options.author);
  const out = required.map((r) => ({ ...r, satisfiedBy: reviewers.filter((login) => options.directory.speaksFor(login, r.from)) }));
  return { required: out, satisfied: out.every((r) => r.satisfiedBy.length >= r.count) };
}

/** The reviewer (not the author) who overrides a soft-mandatory failure of a policy: one of its owners. */
export function overridingReviewer(policy: Policy, options: { approvedBy: readonly string[]; author?: string; directory: Directory }): string | undefined {
  return countingReviewers(options.approvedBy, options.author).find((login) => policy.owners.some((owner) => options.directory.speaksFor(login, owner)));
}
