import type { IncidentStore } from '../../state/IncidentStore.ts';
import type { IncidentSettings } from '../types.ts';
import { dueAt, isPending } from './signalRules.ts';

/**
 * The earliest time a `tick` would change something, from the store alone: a
 * pending signal reaching `for`, an unresolved incident whose signals have
 * all been clear for `resolveAfter`. Undefined when nothing waits.
 */
export function nextDue(store: IncidentStore, settings: IncidentSettings): string | undefined {
  let earliest = Infinity;
  for (const s of store.signals()) if (isPending(s, (id) => store.incident(id))) earliest = Math.min(earliest, dueAt(s, settings.forMs));
  for (const i of store.incidents({ state: 'unresolved' })) if (i.clearSince) earliest = Math.min(earliest, Date.parse(i.clearSince) + settings.resolveAfterMs);
  return Number.isFinite(earliest) ? new Date(earliest).toISOString() : undefined;
}
