import type { Decision, RefString } from './types.ts';

/**
 * The events of the running process, by type: what the catalog follower, the
 * GitHub controller and (later) reconcilers and incidents tell the rest. Each
 * payload is plain JSON data, so an event can be written to the event log
 * (`state/EventLog.ts`) and read back by another replica unchanged.
 */
export interface CmdbEventPayloads {
  /** The served graph now holds `commit` (the followed revision moved, or the first load). */
  catalogMoved: {
    commit: string;
    /** The commit served before; absent on the first load. */
    previous?: string;
    entities: number;
    /** Problems of the commit (its valid part is served). */
    violations: number;
    /** How the store got there: a rebuild, a diff, or nothing to do. */
    mode: 'rebuild' | 'incremental' | 'unchanged';
    /** Seconds the sync took. */
    seconds: number;
  };
  /** A pull request was evaluated and reported. */
  changeEvaluated: { repository: string; number: number; head: string; decision: Decision };
  /** A merged pull request was kept as a change record. */
  changeRecorded: { id: string; repository: string; number: number; mergeCommit: string; decision: Decision };
  /** The default branch of a config repo moved (a merge); `gitdir` is the local clone. */
  defaultBranchMoved: { repository: string; branch: string; commit: string; gitdir: string };
  /** A webhook delivery was processed; `outcome` as the delivery journal records it. */
  deliveryProcessed: { id: string; event: string; outcome: string; seconds: number };
  /**
   * A reconciler's current findings changed (the leader's reconcilers only):
   * `opened` (`finding`), `changed` (`finding` and `previous`), `resolved`
   * (`previous` and `reason`). `key` is the stable finding key (check, ref,
   * target and field or kind; see `state/FindingStore.ts`).
   */
  findingChanged: FindingChangeData;
  /**
   * An incident was opened, changed (signals, root, severity, causes, notes),
   * acknowledged, resolved or reopened (the leader's incident engine only).
   */
  incidentChanged: IncidentChangeData;
  /** A problem was opened, linked to one more incident, or changed state. */
  problemChanged: { id: string; change: 'opened' | 'updated' | 'resolved'; state: 'open' | 'known-error' | 'resolved'; incidents: number; revision: number };
}

/** The payload of `incidentChanged`: what changed and a summary of the incident after it (the full record is in the incident store). */
export interface IncidentChangeData {
  id: string;
  change: 'opened' | 'updated' | 'acknowledged' | 'resolved' | 'reopened';
  state: 'open' | 'acknowledged' | 'resolved';
  title: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  root: RefString | null;
  revision: number;
}

/** What is wrong with an observed target, as a reconciler reports it (`reconcilers/types.ts` `Finding`, as plain data). */
export interface ReportedFinding {
  ref: RefString;
  check: string;
  finding: 'drifted' | 'missing' | 'unhealthy' | 'unknown';
  message: string;
  /** The observed target (a Kubernetes object, an HTTP URL). */
  target: object;
  /** For `drifted`: the differing field, what the catalog expects, what is live (absent when the field is). */
  field?: string;
  expected?: unknown;
  actual?: unknown;
}

/** One change of the current findings: the payload of `findingChanged` and what a `FindingStore` applies. */
export type FindingChangeData =
  | { change: 'opened'; key: string; finding: ReportedFinding }
  | { change: 'changed'; key: string; finding: ReportedFinding; previous: ReportedFinding }
  | { change: 'resolved'; key: string; previous: ReportedFinding; reason: 'fixed' | 'binding-removed' };

export type CmdbEventType = keyof CmdbEventPayloads;

/** One event: its type, when it happened (ISO 8601) and its payload. */
export type CmdbEvent<K extends CmdbEventType = CmdbEventType> = {
  [T in K]: { type: T; at: string; data: CmdbEventPayloads[T] };
}[K];

export type CmdbEventListener<K extends CmdbEventType = CmdbEventType> = (event: CmdbEvent<K>) => void | Promise<void>;
