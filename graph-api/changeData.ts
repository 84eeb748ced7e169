import { normalizeRef } from '../catalog/refs.ts';
import type { RefString } from '../catalog/types.ts';
import { incidentsByCause } from '../incidents/kpis.ts';
import type { ChangeStore } from '../state/ChangeStore.ts';
import type { Incident } from '../state/IncidentRecords.ts';
import type { IncidentStore } from '../state/IncidentStore.ts';
import type { ApiContext } from './context.ts';
import { apiError, badInput } from './errors.ts';
import { resolveRefArg } from './refArgs.ts';

/** The change store, or NOT_AVAILABLE (a server without change records: no GitHub controller and no --reconcile). */
export function changeStoreOf(ctx: ApiContext, field: string): ChangeStore {
  if (!ctx.changes) throw apiError(`${field} is not available: this server keeps no change records (run cmdb serve with --github-repo or --reconcile).`, 'NOT_AVAILABLE');
  return ctx.changes;
}

/** The incident store, or NOT_AVAILABLE (a server without incident management: no --reconcile). */
export function incidentStoreOf(ctx: ApiContext, field: string): IncidentStore {
  if (!ctx.incidents) throw apiError(`${field} is not available: this server keeps no incidents (run cmdb serve with --reconcile).`, 'NOT_AVAILABLE');
  return ctx.incidents;
}

const causes = new WeakMap<ApiContext, Map<string, Incident[]>>();

/** Incidents by the change that is their undismissed top probable cause; computed once per request. */
export function causedIncidents(ctx: ApiContext, field: string): Map<string, Incident[]> {
  let byCause = causes.get(ctx);
  if (!byCause) {
    byCause = incidentsByCause(incidentStoreOf(ctx, field).incidents());
    causes.set(ctx, byCause);
  }
  return byCause;
}

/** An ISO 8601 time argument as ms; BAD_USER_INPUT when it is not one. */
export function timeArg(value: string, argument: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badInput(`"${argument}" is not an ISO 8601 time: "${value}".`);
  return ms;
}

/** A ref argument of the served catalog; one it does not hold (a removed entity) is taken as written, normalized. */
export async function refArg(ctx: ApiContext, text: string, argument: string): Promise<RefString> {
  const resolved = await resolveRefArg(ctx, text, argument);
  return resolved ?? normalizeRef(text) ?? text.trim().toLowerCase();
}
