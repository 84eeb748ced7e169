import type { Criticality, RefString } from '../core/types.ts';

/**
 * The records of incident management (issue 11), as the `IncidentStore`
 * keeps them and `cmdb incidents --format json` prints them. Plain JSON data;
 * times are ISO 8601 UTC. The engine (`incidents/`) is their one writer.
 */

/** Where a signal comes from: a reconciler's check, or Alertmanager. */
export type SignalSource = 'kubernetes' | 'http' | 'alertmanager';
/** A reconciler finding kind, or `alert` for an Alertmanager alert. */
export type SignalKind = 'drifted' | 'missing' | 'unhealthy' | 'unknown' | 'alert';

/**
 * One thing that is wrong, deduplicated by `fingerprint` (entity, source, kind,
 * and the drifted field or the alert name; see `incidents/signals.ts`).
 * A signal is `firing` while its source reports it and `cleared` once the
 * source stops; a cleared signal is kept while an incident refers to it.
 */
export interface Signal {
  fingerprint: string;
  /** The entity it is about; absent for an alert that maps to no entity. */
  ref?: RefString;
  source: SignalSource;
  kind: SignalKind;
  /** The drifted field, or the alert name. */
  field?: string;
  message: string;
  /** The alert's labels (Alertmanager only). */
  labels?: Record<string, string>;
  firstSeen: string;
  lastSeen: string;
  state: 'firing' | 'cleared';
  /** When it last cleared (state `cleared`). */
  clearedAt?: string;
  /** The incident it is part of, once it has lasted `incidents.for`. */
  incident?: string;
}

export type IncidentState = 'open' | 'acknowledged' | 'resolved';

/** The severity of an incident: the highest criticality among its root and what the root impacts. */
export type Severity = Criticality;

export interface ImpactedRef {
  ref: RefString;
  distance: number;
  criticality?: Criticality;
}

/** A change record that probably caused an incident, with why it ranks where it does. */
export interface ProbableCause {
  change: {
    id: string;
    /** The pull request number (changes merged through the GitHub controller). */
    number?: number;
    /** Full SHAs of the change's commits. */
    commits: string[];
    title: string;
    recordedAt: string;
  };
  /** e.g. `changed the root component:default/db`, `changed cluster:default/eu, which the root depends on (distance 1)`. */
  reason: string;
  /** Set when a person dismissed it (it then no longer counts as having caused the incident). */
  dismissed?: { by: string; at: string; note?: string };
}

export type TimelineType =
  | 'opened'
  | 'signal'
  | 'signal-cleared'
  | 'correlated'
  | 'new-root'
  | 'merged'
  | 'severity'
  | 'acknowledged'
  | 'note'
  | 'resolved'
  | 'reopened'
  | 'cause-dismissed'
  | 'problem';

/** One entry of an incident's or a problem's timeline. `by` is who did it (a person's name or token name), or `cmdb` for the engine. */
export interface TimelineEntry {
  at: string;
  type: TimelineType | string;
  by: string;
  message: string;
  note?: string;
}

export interface RunbookLink {
  /** Path of the Markdown file in the config repo. */
  path: string;
  title: string;
}

export interface Incident {
  /** `INC-<n>`, n counting from 1 in one store. */
  id: string;
  state: IncidentState;
  title: string;
  severity: Severity;
  /** The signalled entity the others depend on; null for an alert that maps to no entity. */
  root: RefString | null;
  /** Fingerprints of the incident's signals (the signals themselves are in the store by fingerprint). */
  signals: string[];
  /** The other signalled entities, attached to this root. */
  correlated: RefString[];
  /**
   * The impact of the root, with distance and criticality: the nearest ones
   * only (by distance, then highest criticality, then ref; at most the
   * engine's `impactedLimit`, default 500), `impactedCount` being all of them.
   */
  impacted: ImpactedRef[];
  /** How many entities the root impacts (`impacted` may list fewer). */
  impactedCount: number;
  probableCauses: ProbableCause[];
  /** The problem this incident is linked to. */
  problem?: string;
  runbooks: RunbookLink[];
  openedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  /** When every signal of the incident was last seen clear (it resolves `resolveAfter` later); absent while any fires. */
  clearSince?: string;
  /** The commit of the catalog the incident's topology was computed on. */
  commit?: string;
  timeline: TimelineEntry[];
  /** Increases with every write; a store keeps the highest revision of an id. */
  revision: number;
}

export type ProblemState = 'open' | 'known-error' | 'resolved';

export interface Problem {
  /** `PRB-<n>`. */
  id: string;
  state: ProblemState;
  title: string;
  /** What recurred: one root and kind of finding, or one fingerprint. */
  key: string;
  root: RefString | null;
  kind: SignalKind;
  incidents: string[];
  workaround?: string;
  openedAt: string;
  updatedAt: string;
  resolvedAt?: string;
  timeline: TimelineEntry[];
  revision: number;
}

/** An outgoing notification waiting to be delivered (the transactional outbox). */
export interface Notification {
  /** Unique and stable: receivers deduplicate on it (`X-Cmdb-Delivery`). */
  id: string;
  /** The notifier it is for: `webhook:<name>` or `github-issue`. */
  target: string;
  event: 'incident.opened' | 'incident.updated' | 'incident.resolved';
  incident: string;
  /** The incident's revision the notification describes. */
  revision: number;
  createdAt: string;
  attempts: number;
  /** Not before this time (back-off). */
  nextAttemptAt: string;
  lastError?: string;
}

/** A person's action on an incident or a problem, applied by the leader's engine. */
export type IncidentCommand =
  | { id: string; type: 'acknowledge' | 'resolve' | 'note'; incident: string; by: string; note?: string; at: string }
  | { id: string; type: 'dismiss-cause'; incident: string; change: string; by: string; note?: string; at: string }
  | { id: string; type: 'update-problem'; problem: string; state?: ProblemState; workaround?: string; by: string; note?: string; at: string };

/**
 * What one engine step writes, atomically: all of it or none of it is kept
 * (one journal line in the file store, one transaction in Neo4j).
 */
export interface IncidentTransaction {
  signals?: Signal[];
  /** Fingerprints of signals to forget (cleared and referred to by no unresolved incident). */
  removeSignals?: string[];
  incidents?: Incident[];
  problems?: Problem[];
  notifications?: Notification[];
  /** Notification ids delivered (or given up), removed from the outbox. */
  delivered?: string[];
  /** Commands taken into account (by id), so one is never applied twice. */
  commands?: string[];
}

export interface IncidentQuery {
  state?: IncidentState | 'unresolved' | 'all';
  /** Incidents whose root or correlated entities include this ref. */
  ref?: RefString;
}
