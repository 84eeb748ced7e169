import type { CmdbEvent, CmdbEventType, ReportedFinding } from '../../core/events.ts';
import type { ApiBuilder } from '../builder.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import type { StreamItem } from '../EventStreams.ts';
import type { ApiEnums } from './enums.ts';
import type { IncidentRefs } from './incidentRefs.ts';

const upper = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v.toUpperCase().replace(/-/g, '_'), { value: v }])) as Record<Uppercase<T>, { value: T }>;

/** The event of a stream item; a subscriber that fell too far behind gets SUBSCRIBER_TOO_SLOW (its stream then ends). */
function eventOf<K extends CmdbEventType>(item: StreamItem<K>): CmdbEvent<K> {
  if ('overflow' in item)
    throw apiError(`this subscription fell ${item.overflow} events behind and was ended; subscribe again and read the current state by query.`, 'SUBSCRIBER_TOO_SLOW');
  return item.event;
}

/** The bus's events of `type` passing `filter`, for one subscription; NOT_AVAILABLE without a bus. */
function streamOf<K extends CmdbEventType>(ctx: ApiContext, type: K, filter?: (event: CmdbEvent<K>) => boolean): AsyncIterable<StreamItem<K>> {
  if (!ctx.streams) throw apiError('subscriptions are not available on this server (it was started without an event bus).', 'NOT_AVAILABLE');
  return ctx.streams.stream(type, filter);
}

const AT = 'When the event happened (ISO 8601, UTC), as the replica that published it stamped it.';

/**
 * `Subscription`: the event bus's `catalogMoved`, `changeRecorded`,
 * `incidentChanged` and `findingChanged` (core/events.ts), each with the
 * event's payload and time. Served over Server-Sent Events (graphql-sse's
 * distinct connections mode); the operation needs the viewer role like any
 * other (useAuthentication). On a follower replica they carry the leader's
 * events (server/EventRelayPart.ts).
 */
export function addSubscriptions(builder: ApiBuilder, enums: ApiEnums, incidents: IncidentRefs): void {
  builder.subscriptionType({ description: 'Live events, over Server-Sent Events (`Accept: text/event-stream`).' });

  const SyncMode = builder.enumType('CatalogSyncMode', { description: 'How the store reached the commit.', values: upper(['rebuild', 'incremental', 'unchanged'] as const) });
  const CatalogMoved = builder.objectRef<CmdbEvent<'catalogMoved'>>('CatalogMovedEvent').implement({
    description: 'The served catalog now holds `commit` (the followed revision moved, or the first load).',
    fields: (t) => ({
      at: t.exposeString('at', { description: AT }),
      commit: t.string({ resolve: (e) => e.data.commit }),
      previous: t.string({ nullable: true, description: 'The commit served before; null on the first load.', resolve: (e) => e.data.previous ?? null }),
      entities: t.int({ resolve: (e) => e.data.entities }),
      violations: t.int({ description: 'Problems of the commit (its valid part is served).', resolve: (e) => e.data.violations }),
      mode: t.field({ type: SyncMode, resolve: (e) => e.data.mode }),
      seconds: t.float({ description: 'How long the sync took.', resolve: (e) => e.data.seconds }),
    }),
  });

  const ChangeRecorded = builder.objectRef<CmdbEvent<'changeRecorded'>>('ChangeRecordedEvent').implement({
    description: 'A merged pull request (or a move of the followed branch) was kept as a change record.',
    fields: (t) => ({
      at: t.exposeString('at', { description: AT }),
      id: t.string({ description: 'The change record id.', resolve: (e) => e.data.id }),
      repository: t.string({ resolve: (e) => e.data.repository }),
      number: t.int({ description: 'The pull request number.', resolve: (e) => e.data.number }),
      mergeCommit: t.string({ resolve: (e) => e.data.mergeCommit }),
      decision: t.string({ description: '`pass`, `needs-approval`, `blocked` or `internal`, as `Change.decision`.', resolve: (e) => e.data.decision }),
    }),
  });

  const IncidentChange = builder.enumType('IncidentChangeKind', { values: upper(['opened', 'updated', 'acknowledged', 'resolved', 'reopened'] as const) });
  const IncidentChanged = builder.objectRef<CmdbEvent<'incidentChanged'>>('IncidentChangedEvent').implement({
    description: 'An incident was opened, changed, acknowledged, resolved or reopened; a summary of it after the change (the full incident by query).',
    fields: (t) => ({
      at: t.exposeString('at', { description: AT }),
      id: t.id({ resolve: (e) => e.data.id }),
      change: t.field({ type: IncidentChange, resolve: (e) => e.data.change }),
      state: t.field({ type: incidents.IncidentState, resolve: (e) => e.data.state }),
      title: t.string({ resolve: (e) => e.data.title }),
      severity: t.field({ type: enums.Criticality, resolve: (e) => e.data.severity }),
      root: t.string({ nullable: true, description: 'The ref of the probable root entity.', resolve: (e) => e.data.root }),
      revision: t.int({ description: 'Increases with every change of the incident.', resolve: (e) => e.data.revision }),
    }),
  });

  const FindingChange = builder.enumType('FindingChangeKind', { values: upper(['opened', 'changed', 'resolved'] as const) });
  const ResolvedReason = builder.enumType('FindingResolvedReason', { values: upper(['fixed', 'binding-removed'] as const) });
  const Finding = builder.objectRef<ReportedFinding>('ReportedFinding').implement({
    description: 'What a reconciler found wrong with an observed target, as the event carries it (the current finding, with its entity, is `findings(ref)`).',
    fields: (t) => ({
      ref: t.exposeString('ref'),
      check: t.exposeString('check', { description: 'The reconciler (`http`, `kubernetes`).' }),
      finding: t.exposeString('finding', { description: '`drifted`, `missing`, `unhealthy` or `unknown`, as `Finding.finding`.' }),
      message: t.exposeString('message'),
      target: t.field({ type: 'JSON', description: 'The observed target (a Kubernetes object, an HTTP URL).', resolve: (f) => f.target }),
      field: t.string({ nullable: true, description: 'For DRIFTED: the differing field.', resolve: (f) => f.field ?? null }),
      expected: t.field({ type: 'JSON', nullable: true, description: 'For DRIFTED: what the catalog expects.', resolve: (f) => f.expected ?? null }),
      actual: t.field({ type: 'JSON', nullable: true, description: 'For DRIFTED: what is live (null when the field is absent).', resolve: (f) => f.actual ?? null }),
    }),
  });
  const FindingChanged = builder.objectRef<CmdbEvent<'findingChanged'>>('FindingChangedEvent').implement({
    description: "The leader's reconcilers' current findings changed: OPENED (`finding`), CHANGED (`finding`, `previous`), RESOLVED (`previous`, `reason`).",
    fields: (t) => ({
      at: t.exposeString('at', { description: AT }),
      change: t.field({ type: FindingChange, resolve: (e) => e.data.change }),
      key: t.string({ description: 'The stable finding key (check, ref, target, field or kind).', resolve: (e) => e.data.key }),
      finding: t.field({ type: Finding, nullable: true, resolve: (e) => ('finding' in e.data ? e.data.finding : null) }),
      previous: t.field({ type: Finding, nullable: true, resolve: (e) => ('previous' in e.data ? e.data.previous : null) }),
      reason: t.field({ type: ResolvedReason, nullable: true, resolve: (e) => ('reason' in e.data ? e.data.reason : null) }),
    }),
  });

  builder.subscriptionFields((t) => ({
    catalogMoved: t.field({
      type: CatalogMoved,
      description: 'Each time the served catalog moves to another commit.',
      subscribe: (_root, _args, ctx) => streamOf(ctx, 'catalogMoved'),
      resolve: (item: StreamItem<'catalogMoved'>) => eventOf(item),
    }),
    changeRecorded: t.field({
      type: ChangeRecorded,
      description: 'Each change record kept; only those of `repository` when given.',
      args: { repository: t.arg.string({ required: false }) },
      subscribe: (_root, args, ctx) => streamOf(ctx, 'changeRecorded', (e) => !args.repository || e.data.repository === args.repository),
      resolve: (item: StreamItem<'changeRecorded'>) => eventOf(item),
    }),
    incidentChanged: t.field({
      type: IncidentChanged,
      description: 'Each change of an incident; only of incident `id` when given.',
      args: { id: t.arg.id({ required: false }) },
      subscribe: (_root, args, ctx) => streamOf(ctx, 'incidentChanged', (e) => args.id == null || e.data.id === String(args.id)),
      resolve: (item: StreamItem<'incidentChanged'>) => eventOf(item),
    }),
    findingChanged: t.field({
      type: FindingChanged,
      description: 'Each change of the current findings; only those about entity `ref` when given (a full ref, `kind:namespace/name`).',
      args: { ref: t.arg.string({ required: false }) },
      subscribe: (_root, args, ctx) => streamOf(ctx, 'findingChanged', (e) => !args.ref || ('finding' in e.data ? e.data.finding : e.data.previous).ref === args.ref),
      resolve: (item: StreamItem<'findingChanged'>) => eventOf(item),
    }),
  }));
}
