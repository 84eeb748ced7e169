import crypto from 'node:crypto';
import { isCmdbError } from '../../core/errors.ts';
import type { Incident, IncidentCommand, Problem, ProblemState } from '../../state/IncidentRecords.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { requireRole } from '../auth.ts';
import type { ApiBuilder } from '../builder.ts';
import { NotAppliedError, type ApiContext } from '../context.ts';
import { apiError, badInput, notFound } from '../errors.ts';
import { incidentStoreOf, type IncidentRefs } from './incidentRefs.ts';

/** Longest note or workaround accepted (a timeline entry, not a document). */
export const MAX_NOTE_LENGTH = 10_000;

type Distribute<T> = T extends unknown ? Omit<T, 'id' | 'by' | 'at'> : never;
/** A command without what the API fills in (id, who, when). */
type CommandBody = Distribute<IncidentCommand>;

/**
 * Checks the caller (responder or admin) before anything else, then hands the
 * command to the leader's engine (ApiContext.incidentCommands) and resolves
 * once it is applied. The command's `by` is the caller's name, so the
 * timeline says who did it.
 */
async function submit(ctx: ApiContext, body: CommandBody): Promise<IncidentStore> {
  const port = ctx.incidentCommands;
  if (!port) throw apiError('incident mutations are not available: the server manages incidents only with --reconcile (cmdb serve --reconcile).', 'NOT_AVAILABLE');
  const principal = requireRole(ctx, 'responder');
  const command = { ...body, id: crypto.randomUUID(), by: principal.name, at: new Date().toISOString() } as IncidentCommand;
  try {
    await port.submit(command);
  } catch (e) {
    if (e instanceof NotAppliedError) throw apiError(e.message, 'NOT_AVAILABLE');
    // The engine refuses an id that names nothing (gone between our check and its step).
    if (isCmdbError(e) && e.code === 'usage') throw notFound(e.message);
    throw e;
  }
  return incidentStoreOf(ctx);
}

const noteOf = (note: string | null | undefined, required = false): string | undefined => {
  const text = note?.trim() || undefined;
  if (required && !text) throw badInput('"note" must not be empty.');
  if (text && text.length > MAX_NOTE_LENGTH) throw badInput(`"note" is too long: ${text.length} characters, at most ${MAX_NOTE_LENGTH}.`);
  return text;
};

function incidentOf(ctx: ApiContext, id: string): Incident {
  const incident = incidentStoreOf(ctx).incident(id.trim().toUpperCase());
  if (!incident) throw notFound(`No incident "${id}": list them with the incidents query.`);
  return incident;
}

function problemOf(ctx: ApiContext, id: string): Problem {
  const problem = incidentStoreOf(ctx).problem(id.trim().toUpperCase());
  if (!problem) throw notFound(`No problem "${id}": list them with the problems query.`);
  return problem;
}

/** The incident as the store holds it after the command. */
const after = (store: IncidentStore, id: string): Incident => store.incident(id)!;

/** `acknowledgeIncident`, `resolveIncident`, `addIncidentNote`, `dismissProbableCause`, `updateProblem`: role RESPONDER (or ADMIN). */
export function addIncidentMutations(builder: ApiBuilder, refs: IncidentRefs): void {
  const ROLE = 'Needs the RESPONDER role (or ADMIN); recorded on the timeline with the caller\'s name.';
  builder.mutationFields((t) => ({
    acknowledgeIncident: t.field({
      type: refs.Incident,
      description: `Acknowledges an open incident (someone is on it). BAD_USER_INPUT when it is resolved, NOT_FOUND for an unknown id. ${ROLE}`,
      args: { id: t.arg.string({ required: true }), note: t.arg.string() },
      resolve: async (_root, args, ctx) => {
        requireRole(ctx, 'responder');
        const incident = incidentOf(ctx, args.id);
        if (incident.state === 'resolved') throw badInput(`Incident ${incident.id} is resolved: there is nothing to acknowledge (add a note instead).`);
        const store = await submit(ctx, { type: 'acknowledge', incident: incident.id, note: noteOf(args.note) });
        return after(store, incident.id);
      },
    }),
    resolveIncident: t.field({
      type: refs.Incident,
      description: `Resolves an incident (it is over, whatever its signals say). BAD_USER_INPUT when it is already resolved, NOT_FOUND for an unknown id. ${ROLE}`,
      args: { id: t.arg.string({ required: true }), note: t.arg.string() },
      resolve: async (_root, args, ctx) => {
        requireRole(ctx, 'responder');
        const incident = incidentOf(ctx, args.id);
        if (incident.state === 'resolved') throw badInput(`Incident ${incident.id} is already resolved (at ${incident.resolvedAt ?? 'an unknown time'}).`);
        const store = await submit(ctx, { type: 'resolve', incident: incident.id, note: noteOf(args.note) });
        return after(store, incident.id);
      },
    }),
    addIncidentNote: t.field({
      type: refs.Incident,
      description: `Adds a note to an incident's timeline (any state). BAD_USER_INPUT for an empty note. ${ROLE}`,
      args: { id: t.arg.string({ required: true }), note: t.arg.string({ required: true }) },
      resolve: async (_root, args, ctx) => {
        requireRole(ctx, 'responder');
        const incident = incidentOf(ctx, args.id);
        const store = await submit(ctx, { type: 'note', incident: incident.id, note: noteOf(args.note, true) });
        return after(store, incident.id);
      },
    }),
    dismissProbableCause: t.field({
      type: refs.Incident,
      description: `Dismisses a change as the incident's probable cause (it then no longer counts as having caused it). NOT_FOUND when the incident has no such cause, BAD_USER_INPUT when it is already dismissed. ${ROLE}`,
      args: {
        incident: t.arg.string({ required: true }),
        change: t.arg.string({ required: true, description: 'The change record id (`ProbableCauseChange.id`).' }),
        note: t.arg.string(),
      },
      resolve: async (_root, args, ctx) => {
        requireRole(ctx, 'responder');
        const incident = incidentOf(ctx, args.incident);
        const cause = incident.probableCauses.find((c) => c.change.id === args.change.trim());
        if (!cause) throw notFound(`Incident ${incident.id} has no probable cause "${args.change}"; its causes: ${incident.probableCauses.map((c) => c.change.id).join(', ') || 'none'}.`);
        if (cause.dismissed) throw badInput(`${cause.change.id} was already dismissed as probable cause of ${incident.id} by ${cause.dismissed.by} at ${cause.dismissed.at}.`);
        const store = await submit(ctx, { type: 'dismiss-cause', incident: incident.id, change: cause.change.id, note: noteOf(args.note) });
        return after(store, incident.id);
      },
    }),
    updateProblem: t.field({
      type: refs.Problem,
      description: `Sets a problem's state and/or workaround, or notes something on its timeline. BAD_USER_INPUT when nothing is given. ${ROLE}`,
      args: {
        id: t.arg.string({ required: true }),
        state: t.arg({ type: refs.ProblemState }),
        workaround: t.arg.string(),
        note: t.arg.string(),
      },
      resolve: async (_root, args, ctx) => {
        requireRole(ctx, 'responder');
        const problem = problemOf(ctx, args.id);
        const state: ProblemState | undefined = args.state ?? undefined;
        const workaround = args.workaround === null || args.workaround === undefined ? undefined : args.workaround.trim();
        if (workaround !== undefined && workaround.length > MAX_NOTE_LENGTH) throw badInput(`"workaround" is too long: ${workaround.length} characters, at most ${MAX_NOTE_LENGTH}.`);
        const note = noteOf(args.note);
        if (state === undefined && workaround === undefined && note === undefined) throw badInput('Give "state", "workaround" or "note".');
        const store = await submit(ctx, { type: 'update-problem', problem: problem.id, state, workaround, note });
        return store.problem(problem.id)!;
      },
    }),
  }));
}
