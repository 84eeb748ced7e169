import { createHash } from 'node:crypto';
import { parseRefQuery } from '../catalog/refQuery.ts';
import type { RefString } from '../core/types.ts';
import type { AlertmanagerAlert, AlertmanagerPayload } from './alertmanagerPayload.ts';
import { fingerprintOf } from './signals.ts';
import type { AlertLabelRule, RefResolver, SignalReport } from './types.ts';

/**
 * Alertmanager's alerts as signals. An alert maps to the entity its
 * `cmdb_ref` label names, else to the first label rule of cmdb.yaml
 * (`incidents.alerts.labels`) whose label it has and whose ref resolves;
 * refs resolve like any ref a user types (`RefResolver`), so `cmdb_ref: api`
 * names the one entity called api. Without a resolver (no catalog served
 * yet) only full refs (`component:default/api`) map. An alert that maps to
 * nothing keeps no ref (it opens an incident without topology).
 *
 * `firing` fires the signal, `resolved` clears it. Mapped alerts of one name
 * on one entity are one signal: in one payload, the signal fires when any of
 * them fires and clears only when all of them are resolved. `at` is the
 * alert's `startsAt` (firing) or `endsAt` (resolved) when it is a time after
 * 2000 and not after `now`, else `now`.
 */
export const CMDB_REF_LABEL = 'cmdb_ref';

export interface AlertMapping {
  rules: readonly AlertLabelRule[];
  resolve?: RefResolver;
  /** ISO 8601: when the payload arrived. */
  now: string;
}

const EARLIEST_SANE = Date.parse('2000-01-01T00:00:00Z');

/** The entity an alert is about, or undefined. */
export function refOfAlert(labels: Readonly<Record<string, string>>, mapping: Pick<AlertMapping, 'rules' | 'resolve'>): RefString | undefined {
  const resolve = (typed: string): RefString | undefined => {
    if (mapping.resolve) return mapping.resolve(typed);
    const parsed = parseRefQuery(typed);
    return parsed.ok && parsed.query.exact ? parsed.query.direct : undefined;
  };
  const named = labels[CMDB_REF_LABEL];
  if (named !== undefined && named.trim() !== '') {
    const ref = resolve(named);
    if (ref !== undefined) return ref;
  }
  for (const rule of mapping.rules) {
    const value = labels[rule.label];
    if (value === undefined || value === '') continue;
    const ref = resolve(rule.ref.replaceAll('{value}', value));
    if (ref !== undefined) return ref;
  }
  return undefined;
}

/** Alertmanager's fingerprint, or (an older Alertmanager without one) the first 16 hex digits of the SHA-256 of the sorted label set. */
function alertFingerprint(alert: AlertmanagerAlert): string {
  if (alert.fingerprint) return alert.fingerprint;
  const text = Object.keys(alert.labels)
    .sort()
    .map((k) => `${k}\u0000${alert.labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function saneTime(text: string | undefined, now: string): string {
  const t = text === undefined ? NaN : Date.parse(text);
  return Number.isFinite(t) && t >= EARLIEST_SANE && t <= Date.parse(now) ? new Date(t).toISOString() : now;
}

const messageOf = (alert: AlertmanagerAlert, name: string): string => {
  const a = alert.annotations ?? {};
  return a.summary || a.description || a.message || `alert ${name} is ${alert.status}`;
};

/** The signal reports of a validated payload, one per fingerprint, in the payload's order. */
export function signalsOfAlerts(payload: AlertmanagerPayload, mapping: AlertMapping): SignalReport[] {
  const byFingerprint = new Map<string, SignalReport>();
  for (const alert of payload.alerts) {
    const name = alert.labels.alertname ?? '';
    const ref = refOfAlert(alert.labels, mapping);
    const fingerprint = fingerprintOf({ ref, source: 'alertmanager', kind: 'alert', field: name, alert: alertFingerprint(alert) });
    const held = byFingerprint.get(fingerprint);
    if (alert.status === 'firing') {
      const at = saneTime(alert.startsAt, mapping.now);
      if (held?.type === 'fire' && held.at <= at) continue; // the earliest start of one signal's alerts
      const signal: Extract<SignalReport, { type: 'fire' }>['signal'] = { fingerprint, source: 'alertmanager', kind: 'alert', field: name, message: messageOf(alert, name), labels: { ...alert.labels } };
      if (ref !== undefined) signal.ref = ref;
      byFingerprint.set(fingerprint, { type: 'fire', signal, at });
    } else if (held === undefined || (held.type === 'clear' && held.at < saneTime(alert.endsAt, mapping.now))) {
      byFingerprint.set(fingerprint, { type: 'clear', fingerprint, at: saneTime(alert.endsAt, mapping.now) });
    }
  }
  return [...byFingerprint.values()];
}
