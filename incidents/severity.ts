import { CRITICALITIES, type Criticality } from '../core/types.ts';
import type { Severity } from '../state/IncidentRecords.ts';

/**
 * The severity of an incident: the highest criticality among its root and
 * what the root impacts; `low` when none of them declares one.
 */
export function severityOf(criticalities: Iterable<Criticality | undefined>): Severity {
  let best = CRITICALITIES.length - 1;
  for (const c of criticalities) if (c) best = Math.min(best, CRITICALITIES.indexOf(c));
  return CRITICALITIES[best];
}
