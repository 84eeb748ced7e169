import type { Incident, Signal } from '../state/IncidentRecords.ts';

/** One signal as an incident shows it (`cmdb incident show --format json`, notifications, GraphQL). */
export interface SignalView {
  ref: string | null;
  source: Signal['source'];
  kind: Signal['kind'];
  field?: string;
  message: string;
  firstSeen: string;
  lastSeen: string;
  state: Signal['state'];
}

/**
 * The incident as users and tools see it (the JSON contract of
 * `cmdb incidents --format json`): the stored record with its signals
 * resolved from their fingerprints, internal bookkeeping left out.
 * A fingerprint the store no longer holds is shown as cleared at the incident's resolution.
 */
export type IncidentView = Omit<Incident, 'signals' | 'revision' | 'clearSince' | 'commit'> & { signals: SignalView[] };

export function incidentView(incident: Incident, signalOf: (fingerprint: string) => Signal | undefined): IncidentView {
  const { signals, revision: _revision, clearSince: _clearSince, commit: _commit, ...rest } = incident;
  const views = signals.map((fp): SignalView => {
    const s = signalOf(fp);
    if (!s) return { ref: null, source: 'alertmanager', kind: 'alert', field: fp, message: 'signal no longer kept', firstSeen: incident.openedAt, lastSeen: incident.resolvedAt ?? incident.openedAt, state: 'cleared' };
    return { ref: s.ref ?? null, source: s.source, kind: s.kind, ...(s.field !== undefined ? { field: s.field } : {}), message: s.message, firstSeen: s.firstSeen, lastSeen: s.lastSeen, state: s.state };
  });
  return {
    id: rest.id,
    state: rest.state,
    title: rest.title,
    severity: rest.severity,
    root: rest.root,
    signals: views,
    correlated: rest.correlated,
    impacted: rest.impacted,
    // Records written before impactedCount existed listed every impacted entity.
    impactedCount: rest.impactedCount ?? rest.impacted.length,
    probableCauses: rest.probableCauses,
    ...(rest.problem ? { problem: rest.problem } : {}),
    runbooks: rest.runbooks,
    openedAt: rest.openedAt,
    ...(rest.acknowledgedAt ? { acknowledgedAt: rest.acknowledgedAt } : {}),
    ...(rest.resolvedAt ? { resolvedAt: rest.resolvedAt } : {}),
    timeline: rest.timeline,
  };
}
