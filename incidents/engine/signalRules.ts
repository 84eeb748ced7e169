import { splitRef } from '../../catalog/refs.ts';
import type { Incident, Signal } from '../../state/IncidentRecords.ts';

/**
 * Whether a signal may open (or join) an incident: an `unknown` finding only
 * when it is about a cluster (reconcilers report what they cannot see on the
 * cluster entity); it never opens an incident on a workload.
 */
export function canOpen(signal: Signal): boolean {
  if (signal.kind !== 'unknown') return true;
  return signal.ref !== undefined && refKind(signal.ref) === 'cluster';
}

const refKind = (ref: string): string => splitRef(ref).kind.toLowerCase();

/**
 * Whether a signal waits to open an incident once it has lasted `for`: firing,
 * allowed to open, and part of no incident, or of a resolved one it started
 * firing again after (beyond the reopen window: a new occurrence). A signal
 * still firing when a person resolved its incident waits for nothing: it
 * stays with the resolved incident until it clears and fires again.
 */
export function isPending(signal: Signal, incidentOf: (id: string) => Incident | undefined): boolean {
  if (signal.state !== 'firing' || !canOpen(signal)) return false;
  if (!signal.incident) return true;
  const incident = incidentOf(signal.incident);
  if (!incident) return true;
  return incident.state === 'resolved' && incident.resolvedAt !== undefined && signal.firstSeen > incident.resolvedAt;
}

/** The time (ms) a pending signal opens its incident. */
export const dueAt = (signal: Signal, forMs: number): number => Date.parse(signal.firstSeen) + forMs;

/** `component:default/api unhealthy`, `component:default/api alert HighErrorRate`, `alert HighErrorRate`. */
export function titleOf(root: string | null, signal: Pick<Signal, 'kind' | 'field' | 'fingerprint'>): string {
  const what = signal.kind === 'alert' ? `alert ${signal.field ?? signal.fingerprint}` : signal.kind;
  return root === null ? what : `${root} ${what}`;
}
