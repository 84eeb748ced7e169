import type { ChangeType, Decision, RefString, Risk } from '../core/types.ts';

/**
 * A change kept for KPIs (lead time, approval time, risk mix) and as a
 * probable cause of incidents: a merged pull request (`source` absent or
 * `pull-request`), or, when `cmdb serve` only follows a branch, a commit range
 * the branch moved by (`branch`). Times are RFC 3339, UTC.
 */
export type ChangeRecord = PullRequestChangeRecord | BranchChangeRecord;

/** What every change record has. */
interface ChangeRecordBase {
  id: string;
  repository: string;
  title: string;
  /** GitHub login of the author (pull request), or `Name <email>` of the newest commit's author (branch). */
  author?: string;
  url?: string;
  /** Full SHAs of the change's commits, parents before children (absent on records kept before they were recorded). */
  commits?: string[];
  /** The earliest committer date among `commits` (change lead time starts there); absent on records kept before it was recorded. */
  firstCommitAt?: string;
  /** Base and head commits the change was evaluated on, and the commit the merge made on the default branch (for a branch range: its newest commit). */
  base: string;
  head: string;
  mergeCommit: string;
  mergedAt: string;
  /** Entities added, modified or removed. */
  changed: RefString[];
  /** Entities reached from the changed ones (the blast radius). */
  impacted: RefString[];
  recordedAt: string;
}

/** A merged pull request, recorded by the GitHub controller. */
export interface PullRequestChangeRecord extends ChangeRecordBase {
  /** `owner/repo#number`: one record per merged pull request. */
  id: string;
  /** Absent on records kept before branch records existed. */
  source?: 'pull-request';
  number: number;
  risk: Risk;
  changeType: ChangeType;
  /** The decision on the merged head (a merge by an admin can override the gate). */
  decision: Decision;
  openedAt: string;
  /** When the last approval that was needed was given on the merged head; null when none was needed or given. */
  approvedAt: string | null;
  /** Logins whose approvals counted. */
  approvedBy: string[];
}

/**
 * A commit range the followed branch moved by (`cmdb serve` without the
 * GitHub controller, `server/BranchChangeRecorder.ts`): `base` is the commit
 * served before, `head` (and `mergeCommit`) the one moved to, `mergedAt` the
 * newest commit's committer date. Not evaluated: no risk, decision or approvals.
 */
export interface BranchChangeRecord extends ChangeRecordBase {
  /** `branch:<base>..<head>` (full SHAs). */
  id: string;
  source: 'branch';
  number?: undefined;
  commits: string[];
}

/** True for a merged pull request's record (also those kept before `source` existed). */
export const isPullRequestRecord = (r: ChangeRecord): r is PullRequestChangeRecord => r.source !== 'branch';

/** What `ChangeStore.changes` may filter on. */
export interface ChangeQuery {
  repository?: string;
  /** Records merged at or after this time. */
  since?: Date;
  /** Records kept (`recordedAt`) at or after this time: when the change reached the followed branch (a branch move's commits may be older). */
  recordedSince?: Date;
}

/** `{ firstCommitAt }`: the earliest committer date of the commits (empty when there are none). */
export function firstCommitAt(commits: readonly { committedAt: string }[]): { firstCommitAt?: string } {
  let first: { ms: number; at: string } | undefined;
  for (const c of commits) {
    const ms = Date.parse(c.committedAt);
    if (!Number.isNaN(ms) && (first === undefined || ms < first.ms)) first = { ms, at: c.committedAt };
  }
  return first ? { firstCommitAt: first.at } : {};
}
