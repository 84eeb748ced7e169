import type { RefString } from '../core/types.ts';
import type { IncidentCommand, Signal } from '../state/IncidentRecords.ts';

/**
 * The inputs and settings of the incident engine (`incidents/engine/`).
 * Records (Signal, Incident, Problem, ...) are `state/IncidentRecords.ts`.
 */

/** What a source says about one signal: it fires (again) or it cleared. */
export type SignalReport =
  | { type: 'fire'; signal: Pick<Signal, 'fingerprint' | 'ref' | 'source' | 'kind' | 'field' | 'message' | 'labels'>; at: string }
  | { type: 'clear'; fingerprint: string; at: string };

/**
 * One input of the engine. `tick` lets time pass (signals that have lasted
 * `for` open incidents, incidents clear for `resolveAfter` resolve, notifications
 * come due); the engine never reads a clock of its own.
 * `sync` states every signal a source currently reports (a reconciler's
 * findings after a restart, say): those of that source not in it clear.
 */
export type EngineInput =
  | SignalReport
  | { type: 'sync'; source: Signal['source']; signals: Extract<SignalReport, { type: 'fire' }>['signal'][]; at: string }
  | { type: 'tick'; at: string }
  | { type: 'command'; command: IncidentCommand };

/** One outgoing webhook (`incidents.notify.webhooks` in cmdb.yaml). The secret comes from the environment variable it names, never from Git. */
export interface WebhookNotifier {
  name: string;
  url: string;
  /** Environment variable holding the HMAC-SHA256 key; without it the payload is sent unsigned. */
  secretEnv?: string;
  /** Events to send (default: all three). */
  events: Array<'incident.opened' | 'incident.updated' | 'incident.resolved'>;
}

/** A rule mapping an alert's label to an entity ref: `{label: service, ref: 'component:{value}'}`. */
export interface AlertLabelRule {
  label: string;
  /** A ref template; `{value}` is the label's value. Resolved like any ref a user types (catalog/refQuery.ts). */
  ref: string;
}

/** The `incidents` section of cmdb.yaml, durations in ms, defaults applied (`incidents/config.ts`). */
export interface IncidentSettings {
  /** How long a signal lasts before it opens an incident (`for`, default 30s). */
  forMs: number;
  /** How long all of an incident's signals stay clear before it resolves (default 1m). */
  resolveAfterMs: number;
  /** A signal joins an incident whose last signal came at most `windowMs` before it, within `depth` hops on the graph (defaults 2m, 3). */
  correlation: { windowMs: number; depth: number };
  /** `count` incidents of one root and kind (or one fingerprint) within `periodMs` raise a problem (defaults 3, 7d). */
  problems: { count: number; periodMs: number };
  /** How far before an incident opened a change may be its probable cause (`probableCause.lookBack`, default 7d). */
  lookBackMs: number;
  /** A fingerprint firing again within this long after its incident resolved reopens it (`reopenWithin`, default: the correlation window). */
  reopenWithinMs: number;
  alerts: { labels: AlertLabelRule[] };
  notify: { webhooks: WebhookNotifier[]; githubIssues: boolean };
}

export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = {
  forMs: 30_000,
  resolveAfterMs: 60_000,
  correlation: { windowMs: 120_000, depth: 3 },
  problems: { count: 3, periodMs: 7 * 86_400_000 },
  lookBackMs: 7 * 86_400_000,
  reopenWithinMs: 120_000,
  alerts: { labels: [] },
  notify: { webhooks: [], githubIssues: false },
};

/** Refs resolved the way the served catalog resolves what users type; undefined when none or several match. */
export type RefResolver = (typed: string) => RefString | undefined;
