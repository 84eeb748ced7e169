import type { ChangeType, Decision, RefString, Risk } from '../core/types.ts';

/** A merged change, as kept for KPIs (lead time, approval time, risk mix). Times are RFC 3339, UTC. */
export interface ChangeRecord {
  /** `owner/repo#number`: one record per merged pull request. */
  id: string;
  repository: string;
  number: number;
  title: string;
  /** GitHub login of the author. */
  author?: string;
  url?: string;
  risk: Risk;
  changeType: ChangeType;
  /** The decision on the merged head (a merge by an admin can override the gate). */
  decision: Decision;
  /** Base and head commits the change was evaluated on, and the commit the merge made on the default branch. */
  base: string;
  head: string;
  mergeCommit: string;
  openedAt: string;
  /** When the last approval that was needed was given on the merged head; null when none was needed or given. */
  approvedAt: string | null;
  mergedAt: string;
  /** Logins whose approvals counted. */
  approvedBy: string[];
  /** Entities added, modified or removed. */
  changed: RefString[];
  /** Entities reached from the changed ones (the blast radius). */
  impacted: RefString[];
  recordedAt: string;
}

/** What `ChangeStore.changes` may filter on. */
export interface ChangeQuery {
  repository?: string;
  /** Records merged at or after this time. */
  since?: Date;
}
