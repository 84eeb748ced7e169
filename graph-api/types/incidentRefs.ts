import type { StoredFinding } from '../../state/FindingStore.ts';
import type { Incident, IncidentState, Problem, ProblemState, TimelineEntry } from '../../state/IncidentRecords.ts';
import { normalizeRef } from '../../catalog/refs.ts';
import type { ApiBuilder } from '../builder.ts';
import { apiError, badInput } from '../errors.ts';
import { resolveRefArg } from '../refArgs.ts';
import type { ApiContext } from '../context.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';

const upper = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v.toUpperCase().replace(/-/g, '_'), { value: v }])) as Record<string, { value: T }>;

/**
 * The object and enum refs of incident management, made before any is
 * implemented: Incident, Problem and Finding refer to each other across their
 * files (Incident.ts, Problem.ts, Finding.ts implement them).
 */
export function incidentRefs(builder: ApiBuilder) {
  return {
    Incident: builder.objectRef<Incident>('Incident'),
    Problem: builder.objectRef<Problem>('Problem'),
    Finding: builder.objectRef<StoredFinding>('Finding'),
    TimelineEntry: builder.objectRef<TimelineEntry>('TimelineEntry'),
    IncidentState: builder.enumType('IncidentState', {
      description: 'OPEN until someone acknowledges it, RESOLVED when its signals cleared for `resolveAfter` or someone resolved it.',
      values: upper<IncidentState>(['open', 'acknowledged', 'resolved']),
    }),
    ProblemState: builder.enumType('ProblemState', {
      description: 'OPEN when recurring incidents made it, KNOWN_ERROR once its cause and a workaround are known, RESOLVED when fixed.',
      values: upper<ProblemState>(['open', 'known-error', 'resolved']),
    }),
  };
}

export type IncidentRefs = ReturnType<typeof incidentRefs>;

/** The incident store the fields read; NOT_AVAILABLE when the server manages no incidents (no `--reconcile`). */
export function incidentStoreOf(ctx: ApiContext): IncidentStore {
  if (!ctx.incidents) throw apiError('incidents are not available: the server manages incidents only with --reconcile (cmdb serve --reconcile).', 'NOT_AVAILABLE');
  return ctx.incidents;
}

/**
 * An entity argument as a ref: resolved against the served catalog like
 * `entity(ref)`, else (an entity gone from it, whose incidents and findings are
 * still kept) taken as written, normalized.
 */
export async function entityRefArg(ctx: ApiContext, text: string, argument: string): Promise<string> {
  const resolved = await resolveRefArg(ctx, text, argument);
  if (resolved !== undefined) return resolved;
  const ref = normalizeRef(text);
  if (ref === undefined) throw badInput(`Invalid entity reference in argument "${argument}": "${text}"; write it as kind:[namespace/]name.`);
  return ref;
}
