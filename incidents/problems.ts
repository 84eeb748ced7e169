import type { Incident, Problem, Signal, SignalKind } from '../state/IncidentRecords.ts';

/**
 * Problems (issue 11): one root and kind of finding (key `root|kind`), or one
 * fingerprint for an alert that maps to no entity, that caused
 * `problems.count` incidents within `problems.periodMs`.
 */

/** What recurred in an incident: the key, and the root and kind it stands for. */
export interface ProblemKey {
  key: string;
  root: Incident['root'];
  kind: SignalKind;
}

/** The key of an incident: its root and the kind of the root's first signal; the fingerprint of a root-less alert. */
export function problemKeyOf(incident: Incident, signalOf: (fingerprint: string) => Signal | undefined): ProblemKey | undefined {
  const signals = incident.signals.map(signalOf).filter((s): s is Signal => s !== undefined);
  if (incident.root === null) {
    const first = signals[0];
    return first ? { key: first.fingerprint, root: null, kind: first.kind } : undefined;
  }
  const own = signals.find((s) => s.ref === incident.root) ?? signals[0];
  return own ? { key: `${incident.root}|${own.kind}`, root: incident.root, kind: own.kind } : undefined;
}

/** Whether the incident was merged into another (it then counts toward no problem). */
export const mergedAway = (incident: Incident): boolean => incident.timeline.some((t) => t.type === 'merged' && t.message.startsWith('merged into '));

/** The problem still open (or a known error) for this key, if any. */
export const liveProblem = (problems: Iterable<Problem>, key: string): Problem | undefined => {
  for (const p of problems) if (p.key === key && p.state !== 'resolved') return p;
  return undefined;
};

/** The incidents of a key opened within `periodMs` up to `at` (merged-away ones and those of a resolved problem left out), oldest first. */
export function recurrences(incidents: Iterable<Incident>, key: string, keyOf: (i: Incident) => string | undefined, at: string, periodMs: number, resolvedProblem: (id: string) => boolean): Incident[] {
  const from = Date.parse(at) - periodMs;
  const found: Incident[] = [];
  const to = Date.parse(at);
  for (const i of incidents) {
    const opened = Date.parse(i.openedAt);
    if (opened < from || opened > to || keyOf(i) !== key) continue;
    if (mergedAway(i) || (i.problem && resolvedProblem(i.problem))) continue;
    found.push(i);
  }
  return found.sort((a, b) => (a.openedAt < b.openedAt ? -1 : a.openedAt > b.openedAt ? 1 : a.id < b.id ? -1 : 1));
}
