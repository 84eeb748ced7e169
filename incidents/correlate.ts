import type { RefString } from '../core/types.ts';
import type { RootTopology } from './correlateTopology.ts';

/** An unresolved incident a signal may join: its root's topology and its correlated entities. */
export interface CorrelationCandidate {
  id: string;
  openedAt: string;
  root: RefString;
  correlated: readonly RefString[];
  topology: RootTopology;
}

/** Where the signal of an entity goes: a new incident, or an existing one (with its root afterwards and the incidents merged into it). */
export type Correlation = { type: 'new' } | { type: 'join'; incident: string; root: RefString; merged: string[] };

const number = (id: string) => Number(/(\d+)$/.exec(id)?.[1] ?? 0);
const older = (a: CorrelationCandidate, b: CorrelationCandidate) => (a.openedAt !== b.openedAt ? (a.openedAt < b.openedAt ? -1 : 1) : number(a.id) - number(b.id));

/**
 * Places entity `e`'s signal among the unresolved incidents still within the
 * correlation window (the caller filters them):
 * - e is already an incident's root or correlated entity, or is in its root's
 *   impact (downstream): it joins the oldest such incident under that root;
 * - e is upstream of incidents' roots (they depend on it): e becomes the root
 *   of the oldest of them and the others merge into it;
 * - both: the incidents e is upstream of merge into the one it is downstream
 *   of (their roots depend on e, which depends on that root);
 * - none: a new incident.
 * Two incidents that merely share a dependent are not merged: the dependent
 * joins the older one.
 */
export function correlate(e: RefString, candidates: readonly CorrelationCandidate[]): Correlation {
  const downstream = candidates.filter((c) => c.root === e || c.correlated.includes(e) || c.topology.impact.has(e)).sort(older);
  const upstream = candidates.filter((c) => c.root !== e && !c.correlated.includes(e) && c.topology.upstream.has(e));
  if (downstream.length === 0 && upstream.length === 0) return { type: 'new' };
  const anchor = downstream[0];
  const group = [...(anchor ? [anchor] : []), ...upstream].sort(older);
  const survivor = group[0];
  return { type: 'join', incident: survivor.id, root: anchor ? anchor.root : e, merged: group.slice(1).map((c) => c.id) };
}
