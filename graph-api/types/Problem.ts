import type { ApiBuilder } from '../builder.ts';
import { incidentStoreOf, type IncidentRefs } from './incidentRefs.ts';

/** `Problem` (recurring incidents of one root and kind), `problems` and `problem`. */
export function addProblemTypes(builder: ApiBuilder, refs: IncidentRefs): void {
  refs.Problem.implement({
    description: 'A problem (`cmdb problems`): what made incidents recur, with its workaround once known.',
    fields: (t) => ({
      id: t.exposeString('id', { description: '`PRB-<n>`.' }),
      state: t.field({ type: refs.ProblemState, resolve: (p) => p.state }),
      title: t.exposeString('title'),
      key: t.exposeString('key', { description: 'What recurred: one root and kind of finding, or one fingerprint.' }),
      rootRef: t.exposeString('root', { nullable: true }),
      root: t.field({
        type: 'Entity',
        nullable: true,
        description: 'The root entity; null when there is none or it is gone from the served catalog.',
        resolve: (p, _a, ctx) => (p.root === null ? null : ctx.loadEntity(p.root)),
      }),
      kind: t.exposeString('kind', { description: 'The kind of signal that recurred (`drifted`, `unhealthy`, ..., `alert`).' }),
      incidents: t.field({
        type: [refs.Incident],
        description: 'Its incidents, as the problem lists them (those the store no longer holds left out).',
        resolve: (p, _a, ctx) => {
          const store = incidentStoreOf(ctx);
          return p.incidents.map((id) => store.incident(id)).filter((i) => i !== undefined);
        },
      }),
      workaround: t.exposeString('workaround', { nullable: true }),
      openedAt: t.exposeString('openedAt'),
      updatedAt: t.exposeString('updatedAt'),
      resolvedAt: t.exposeString('resolvedAt', { nullable: true }),
      timeline: t.field({ type: [refs.TimelineEntry], description: 'Oldest first.', resolve: (p) => p.timeline }),
    }),
  });
  builder.queryFields((t) => ({
    problems: t.field({
      type: [refs.Problem],
      description: 'Every problem, newest first.',
      args: { state: t.arg({ type: refs.ProblemState, description: 'Only problems in this state (default: all).' }) },
      resolve: (_root, { state }, ctx) => incidentStoreOf(ctx).problems().filter((p) => !state || p.state === state),
    }),
    problem: t.field({
      type: refs.Problem,
      nullable: true,
      description: 'One problem by id (`PRB-<n>`); null when there is none.',
      args: { id: t.arg.string({ required: true }) },
      resolve: (_root, { id }, ctx) => incidentStoreOf(ctx).problem(id.trim().toUpperCase()) ?? null,
    }),
  }));
}
