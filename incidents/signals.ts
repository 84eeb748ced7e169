import type { FindingChangeData, ReportedFinding } from '../core/events.ts';
import type { RefString } from '../core/types.ts';
import type { StoredFinding } from '../state/FindingStore.ts';
import type { Signal, SignalKind, SignalSource } from '../state/IncidentRecords.ts';
import type { EngineInput, SignalReport } from './types.ts';

/**
 * Reconciler findings as signals of the incident engine, and the fingerprint
 * every signal is deduplicated by.
 *
 * A fingerprint is `source|ref|kind` and, when there is one, `|field`:
 * `kubernetes|component:default/api|drifted|spec.replicas`,
 * `http|component:default/web|unhealthy`,
 * `alertmanager|component:default/api|alert|HighLatency`. An alert that maps
 * to no entity has `-` for its ref and Alertmanager's own fingerprint of its
 * label set appended (`alertmanager|-|alert|DiskFull|1a30ba71cca2921f`), so
 * two unmapped alerts of one name (two hosts' disks) stay two signals; mapped
 * alerts of one name on one entity are one signal, as are two findings of one
 * kind on one entity (two clusters' Deployments of one component). `%` and
 * `|` inside a part are percent-encoded, so distinct parts never collide.
 */

type FiredSignal = Extract<SignalReport, { type: 'fire' }>['signal'];

/** The parts of a fingerprint (Alertmanager's fingerprint only for alerts that map to no entity). */
export interface FingerprintParts {
  ref?: RefString;
  source: SignalSource;
  kind: SignalKind;
  field?: string;
  /** Alertmanager's fingerprint of the alert's labels, kept for unmapped alerts. */
  alert?: string;
}

const part = (text: string): string => text.replace(/%/g, '%25').replace(/\|/g, '%7C');

/** The stable, readable identity of a signal (see the module comment). */
export function fingerprintOf(p: FingerprintParts): string {
  const parts = [p.source, p.ref ?? '-', p.kind];
  if (p.field !== undefined) parts.push(p.field);
  if (p.ref === undefined && p.alert !== undefined) parts.push(p.alert);
  return parts.map(part).join('|');
}

const RECONCILER_SOURCES = ['kubernetes', 'http'] as const;

/** The Cluster entity a Kubernetes finding's target lives in, when the target names one. */
function clusterOf(finding: ReportedFinding): RefString | undefined {
  const cluster = (finding.target as { cluster?: unknown }).cluster;
  return typeof cluster === 'string' && cluster !== '' ? cluster : undefined;
}

/**
 * The signal a finding is. An `unknown` Kubernetes finding (a cluster the
 * reconciler cannot reach or read) is a signal on the Cluster entity, one per
 * cluster whatever workload reported it: it marks the cluster unhealthy and
 * never opens an incident on a workload. An `unknown` HTTP finding keeps its
 * entity (the engine opens no workload incident for `unknown`).
 */
export function signalOfFinding(finding: ReportedFinding): FiredSignal {
  const source: SignalSource = finding.check === 'http' ? 'http' : 'kubernetes';
  const ref = finding.finding === 'unknown' && source === 'kubernetes' ? (clusterOf(finding) ?? finding.ref) : finding.ref;
  const field = finding.finding === 'drifted' ? finding.field : undefined;
  const signal: FiredSignal = { fingerprint: fingerprintOf({ ref, source, kind: finding.finding, field }), ref, source, kind: finding.finding, message: finding.message };
  if (field !== undefined) signal.field = field;
  return signal;
}

/**
 * What one change of the current findings says to the engine: an opened or
 * changed finding fires its signal, a resolved one clears it. Several findings
 * may share a fingerprint (the unknown findings of one cluster, one kind on two
 * targets of one entity); pass `remaining`, the findings held after the
 * change (`FindingStore.current()`), and a clear is withheld while another of
 * them still has that fingerprint.
 */
export function signalsOfFindingChange(change: FindingChangeData, at: string, remaining?: readonly StoredFinding[]): SignalReport[] {
  return signalsOfFindingChanges([change], at, remaining);
}

/**
 * `signalsOfFindingChange` for the changes of one `FindingStore.apply`, in
 * order, with `remaining` the findings held after all of them (read once,
 * however many changes: a zone failing is thousands).
 */
export function signalsOfFindingChanges(changes: readonly FindingChangeData[], at: string, remaining?: readonly StoredFinding[]): SignalReport[] {
  const holders = new Map<string, Set<string>>();
  for (const f of remaining ?? []) {
    const fingerprint = signalOfFinding(f.finding).fingerprint;
    holders.set(fingerprint, (holders.get(fingerprint) ?? new Set()).add(f.key));
  }
  const held = (fingerprint: string, key: string) => [...(holders.get(fingerprint) ?? [])].some((k) => k !== key);
  /** Fingerprints cleared in this batch and not fired since: cleared once. */
  const cleared = new Set<string>();
  return changes.flatMap((change): SignalReport[] => {
    const clear = (previous: ReportedFinding): SignalReport[] => {
      const fingerprint = signalOfFinding(previous).fingerprint;
      if (held(fingerprint, change.key) || cleared.has(fingerprint)) return [];
      cleared.add(fingerprint);
      return [{ type: 'clear', fingerprint, at }];
    };
    if (change.change === 'resolved') return clear(change.previous);
    const fire: SignalReport = { type: 'fire', signal: signalOfFinding(change.finding), at };
    cleared.delete(fire.signal.fingerprint);
    if (change.change === 'changed' && signalOfFinding(change.previous).fingerprint !== fire.signal.fingerprint) return [...clear(change.previous), fire];
    return [fire];
  });
}

/**
 * Every signal the reconcilers currently report, one `sync` per source
 * (kubernetes, http; each sent even when empty, so that what the engine holds
 * of a source and the findings no longer have clears), deduplicated by
 * fingerprint (the first finding by key wins).
 */
export function syncOfFindings(current: readonly StoredFinding[], at: string): EngineInput[] {
  return RECONCILER_SOURCES.map((source) => {
    const byFingerprint = new Map<string, FiredSignal>();
    for (const stored of [...current].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      const signal = signalOfFinding(stored.finding);
      if (signal.source === source && !byFingerprint.has(signal.fingerprint)) byFingerprint.set(signal.fingerprint, signal);
    }
    return { type: 'sync', source, signals: [...byFingerprint.values()], at };
  });
}
