import type { ReviewInfo } from './GitHubApi.ts';

/** Review states that set a reviewer's verdict; COMMENTED and PENDING leave it as it was (as on GitHub). */
const VERDICTS = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

export interface ApprovalsFromReviews {
  /** Logins whose latest verdict is APPROVED on the head commit, in the order they approved. */
  approvedBy: string[];
  /** When the last of those approvals was given (RFC 3339), undefined when none. */
  lastApprovedAt?: string;
}

/**
 * Approvals that count on `head`: per reviewer (logins compare case-insensitively)
 * the latest verdict counts, and only when it is APPROVED on the head commit,
 * so a push makes earlier approvals stale and a dismissal or a later request
 * for changes withdraws one. The author and deleted users never count.
 * `reviews` are in GitHub's order, which is chronological.
 */
export function approvalsFromReviews(options: { reviews: readonly ReviewInfo[]; head: string; author?: string }): ApprovalsFromReviews {
  const author = options.author?.toLowerCase();
  const latest = new Map<string, ReviewInfo>();
  for (const review of options.reviews) {
    if (!review.login || !VERDICTS.has(review.state.toUpperCase())) continue;
    const key = review.login.toLowerCase();
    latest.delete(key);
    latest.set(key, review);
  }
  const counting = [...latest.entries()]
    .filter(([login, r]) => login !== author && r.state.toUpperCase() === 'APPROVED' && r.commitId === options.head)
    .map(([, r]) => r);
  const times = counting.map((r) => r.submittedAt).filter((t): t is string => t !== undefined).sort();
  return { approvedBy: counting.map((r) => r.login!), lastApprovedAt: times.at(-1) };
}
