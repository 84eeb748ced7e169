import { incidentView, type SignalView } from '../../incidents/view.ts';
import type { ImpactedRef, Incident, IncidentQuery, ProbableCause, RunbookLink } from '../../state/IncidentRecords.ts';
import { CRITICALITIES, type Criticality } from '../../catalog/types.ts';
import type { ApiBuilder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { RUNBOOK_HTML_MAX_CHARS, runbookHtml } from '../runbookHtml.ts';
import type { ApiEnums } from './enums.ts';
import { entityRefArg, incidentStoreOf, type IncidentRefs } from './incidentRefs.ts';

export const DEFAULT_INCIDENT_PAGE = 20;
export const MAX_INCIDENT_PAGE = 200;

/** An entity an incident names, by ref, with the entity while the served catalog has it. */
interface EntityRefShape {
  ref: string;
}

/**
 * Opaque cursor of an incident in the newest-first listing: base64url of
 * `inc:<openedAt> <id>`. It names the incident's place in the order (not a
 * position), so paging neither skips nor repeats when incidents open meanwhile.
 */
const encodeIncidentCursor = (i: Pick<Incident, 'openedAt' | 'id'>): string => Buffer.from(`inc:${i.openedAt} ${i.id}`, 'utf8').toString('base64url');

function decodeIncidentCursor(cursor: string): { openedAt: string; id: string } {
  const match = /^inc:(\S+) (\S+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeIncidentCursor({ openedAt: match[1], id: match[2] }) !== cursor)
    throw badInput(`Invalid cursor "${cursor}": pass a cursor returned by edges.cursor or pageInfo.endCursor of incidents.`);
  return { openedAt: match[1], id: match[2] };
}

/** Whether `i` comes after the cursor in the store's order (newest first by openedAt, then id descending). */
const after = (cursor: { openedAt: string; id: string }) => (i: Incident) => i.openedAt < cursor.openedAt || (i.openedAt === cursor.openedAt && i.id < cursor.id);

interface IncidentConnectionShape {
  incidents: Incident[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number;
  /** Every incident the filter matches (all pages), for `bySeverity`: counted only when asked for. */
  matching: readonly Incident[];
}

const FILTERS = { OPEN: 'open', ACKNOWLEDGED: 'acknowledged', RESOLVED: 'resolved', UNRESOLVED: 'unresolved', ALL: 'all' } as const;

/** `Incident` (the incident view of incidents/view.ts, entities resolved), its parts, `incidents` and `incident`. */
export function addIncidentTypes(builder: ApiBuilder, enums: ApiEnums, refs: IncidentRefs): void {
  const EntityRef = builder.objectRef<EntityRefShape>('IncidentEntity').implement({
    description: 'An entity an incident names.',
    fields: (t) => ({
      ref: t.exposeString('ref'),
      entity: t.field({ type: 'Entity', nullable: true, description: 'The entity in the served catalog; null when it is gone from it.', resolve: (e, _a, ctx) => ctx.loadEntity(e.ref) }),
    }),
  });
  const Impacted = builder.objectRef<ImpactedRef>('IncidentImpact').implement({
    description: 'An entity the incident\'s root impacts, as computed when the incident opened or moved.',
    fields: (t) => ({
      ref: t.exposeString('ref'),
      distance: t.exposeInt('distance'),
      criticality: t.field({ type: enums.Criticality, nullable: true, resolve: (i) => i.criticality }),
      entity: t.field({ type: 'Entity', nullable: true, description: 'The entity in the served catalog; null when it is gone from it.', resolve: (i, _a, ctx) => ctx.loadEntity(i.ref) }),
    }),
  });
  const Signal = builder.objectRef<SignalView>('IncidentSignal').implement({
    description: 'One signal of an incident: a reconciler finding or an Alertmanager alert.',
    fields: (t) => ({
      ref: t.exposeString('ref', { nullable: true, description: 'The entity; null for an alert that maps to none.' }),
      source: t.exposeString('source', { description: '`kubernetes`, `http` or `alertmanager`.' }),
      kind: t.exposeString('kind', { description: '`drifted`, `missing`, `unhealthy`, `unknown` or `alert`.' }),
      field: t.exposeString('field', { nullable: true, description: 'The drifted field, or the alert name.' }),
      message: t.exposeString('message'),
      firstSeen: t.exposeString('firstSeen'),
      lastSeen: t.exposeString('lastSeen'),
      state: t.exposeString('state', { description: '`firing` or `cleared`.' }),
    }),
  });
  const CauseChange = builder.objectRef<ProbableCause['change']>('ProbableCauseChange').implement({
    description: 'The change record a probable cause names.',
    fields: (t) => ({
      id: t.exposeString('id'),
      number: t.exposeInt('number', { nullable: true, description: 'The pull request number (changes merged through the GitHub controller).' }),
      commits: t.exposeStringList('commits', { description: 'Full SHAs of the change\'s commits.' }),
      title: t.exposeString('title'),
      recordedAt: t.exposeString('recordedAt'),
    }),
  });
  const Dismissal = builder.objectRef<NonNullable<ProbableCause['dismissed']>>('CauseDismissal').implement({
    fields: (t) => ({
      by: t.exposeString('by'),
      at: t.exposeString('at'),
      note: t.exposeString('note', { nullable: true }),
    }),
  });
  const Cause = builder.objectRef<ProbableCause>('ProbableCause').implement({
    description: 'A change that probably caused the incident, with why it ranks where it does.',
    fields: (t) => ({
      change: t.field({ type: CauseChange, resolve: (c) => c.change }),
      reason: t.exposeString('reason'),
      dismissed: t.field({ type: Dismissal, nullable: true, description: 'Set when someone dismissed it.', resolve: (c) => c.dismissed ?? null }),
    }),
  });
  /** Weight of Runbook.html (a blob read and a render): the cost estimate (10 runbooks an incident) lets the runbooks of one incident through, not of a page of them. */
  const RUNBOOK_HTML_COST = 1000;
  const Runbook = builder.objectRef<RunbookLink>('Runbook').implement({
    fields: (t) => ({
      path: t.exposeString('path', { description: 'Path of the Markdown file in the config repo.' }),
      title: t.exposeString('title'),
      markdown: t.string({
        nullable: true,
        description: 'The file\'s Markdown at the served commit, without its front matter; null when the served commit has no such Markdown file (or it is too large, or not text).',
        resolve: (r, _a, ctx) => ctx.runbookBody?.(r.path) ?? null,
      }),
      html: t.string({
        nullable: true,
        description: `\`markdown\` as HTML (CommonMark, micromark): raw HTML in it is escaped and links with unsafe protocols (javascript:) are emptied, so it can be shown as it is. Markdown longer than ${RUNBOOK_HTML_MAX_CHARS / 1024} KiB is not rendered: its escaped text in a <pre>.`,
        extensions: { cost: RUNBOOK_HTML_COST },
        resolve: async (r, _a, ctx) => {
          const markdown = await ctx.runbookBody?.(r.path);
          return markdown === undefined ? null : runbookHtml(markdown);
        },
      }),
    }),
  });
  refs.TimelineEntry.implement({
    description: 'One entry of an incident\'s or a problem\'s timeline.',
    fields: (t) => ({
      at: t.exposeString('at'),
      type: t.exposeString('type', { description: '`opened`, `signal`, `acknowledged`, `note`, `resolved`, `cause-dismissed`, ...' }),
      by: t.exposeString('by', { description: 'Who did it: the caller\'s name (a token\'s name, an OIDC identity), a CLI user, or `cmdb` for the engine.' }),
      message: t.exposeString('message'),
      note: t.exposeString('note', { nullable: true }),
    }),
  });

  refs.Incident.implement({
    description: 'An incident (`cmdb incident show`): signals correlated to one root entity, its impact, probable causes and timeline.',
    fields: (t) => ({
      id: t.exposeString('id', { description: '`INC-<n>`.' }),
      state: t.field({ type: refs.IncidentState, resolve: (i) => i.state }),
      title: t.exposeString('title'),
      severity: t.field({ type: enums.Criticality, description: 'The highest criticality among the root and what it impacts.', resolve: (i) => i.severity }),
      rootRef: t.exposeString('root', { nullable: true, description: 'The root\'s ref; null for an alert that maps to no entity.' }),
      root: t.field({
        type: 'Entity',
        nullable: true,
        description: 'The signalled entity the others depend on; null when there is none or it is gone from the served catalog.',
        resolve: (i, _a, ctx) => (i.root === null ? null : ctx.loadEntity(i.root)),
      }),
      signals: t.field({ type: [Signal], resolve: (i, _a, ctx) => incidentView(i, (fp) => ctx.incidents?.signal(fp)).signals }),
      correlated: t.field({ type: [EntityRef], description: 'The other signalled entities, attached to this root.', resolve: (i) => i.correlated.map((ref) => ({ ref })) }),
      impacted: t.field({ type: [Impacted], description: 'The impact of the root, with distance and criticality: the nearest ones (at most 500; `impactedCount` is how many in all).', resolve: (i) => i.impacted }),
      impactedCount: t.int({ description: 'How many entities the root impacts within the correlation depth (the list `impacted` may hold fewer).', resolve: (i) => i.impactedCount ?? i.impacted.length }),
      probableCauses: t.field({ type: [Cause], resolve: (i) => i.probableCauses }),
      runbooks: t.field({ type: [Runbook], resolve: (i) => i.runbooks }),
      timeline: t.field({ type: [refs.TimelineEntry], description: 'Oldest first.', resolve: (i) => i.timeline }),
      problemId: t.exposeString('problem', { nullable: true }),
      problem: t.field({ type: refs.Problem, nullable: true, description: 'The problem this incident is linked to.', resolve: (i, _a, ctx) => (i.problem ? (incidentStoreOf(ctx).problem(i.problem) ?? null) : null) }),
      openedAt: t.exposeString('openedAt'),
      acknowledgedAt: t.exposeString('acknowledgedAt', { nullable: true }),
      resolvedAt: t.exposeString('resolvedAt', { nullable: true }),
    }),
  });

  const Edge = builder.objectRef<Incident>('IncidentEdge').implement({
    fields: (t) => ({
      cursor: t.string({ description: 'Opaque; pass as `after` to get the incidents after this one.', resolve: (i) => encodeIncidentCursor(i) }),
      node: t.field({ type: refs.Incident, resolve: (i) => i }),
    }),
  });
  const SeverityCount = builder.objectRef<{ severity: Criticality; count: number }>('IncidentSeverityCount').implement({
    description: 'A number of incidents of one severity.',
    fields: (t) => ({
      severity: t.field({ type: enums.Criticality, resolve: (c) => c.severity }),
      count: t.exposeInt('count'),
    }),
  });
  const Connection = builder.objectRef<IncidentConnectionShape>('IncidentConnection').implement({
    description: 'One page of incidents, newest first.',
    fields: (t) => ({
      edges: t.field({ type: [Edge], resolve: (c) => c.incidents }),
      nodes: t.field({ type: [refs.Incident], resolve: (c) => c.incidents }),
      pageInfo: t.field({
        type: 'PageInfo',
        resolve: (c) => ({
          hasNextPage: c.hasNextPage,
          hasPreviousPage: c.hasPreviousPage,
          startCursor: c.incidents.length ? encodeIncidentCursor(c.incidents[0]) : null,
          endCursor: c.incidents.length ? encodeIncidentCursor(c.incidents[c.incidents.length - 1]) : null,
        }),
      }),
      totalCount: t.exposeInt('totalCount', { description: 'Incidents matching the filter, over all pages.' }),
      bySeverity: t.field({
        type: [SeverityCount],
        description: 'How many incidents matching the filter have each severity, over all pages (highest severity first; severities with none are left out).',
        resolve: (c) => {
          const counts = new Map<Criticality, number>();
          for (const i of c.matching) counts.set(i.severity, (counts.get(i.severity) ?? 0) + 1);
          return CRITICALITIES.filter((severity) => counts.has(severity)).map((severity) => ({ severity, count: counts.get(severity)! }));
        },
      }),
    }),
  });
  const Filter = builder.enumType('IncidentFilter', {
    description: 'Which incidents `incidents` lists: one state, UNRESOLVED (open or acknowledged) or ALL.',
    values: Object.fromEntries(Object.entries(FILTERS).map(([k, value]) => [k, { value }])) as Record<keyof typeof FILTERS, { value: (typeof FILTERS)[keyof typeof FILTERS] }>,
  });

  builder.queryFields((t) => ({
    incidents: t.field({
      type: Connection,
      description: `Incidents newest first (by when they opened), paged forward: \`first\` (default ${DEFAULT_INCIDENT_PAGE}, at most ${MAX_INCIDENT_PAGE}) after the cursor \`after\`.`,
      args: {
        state: t.arg({ type: Filter, defaultValue: 'all' }),
        entity: t.arg.string({ description: 'Only incidents whose root or correlated entities include this one (a ref as `entity` takes it; an entity gone from the catalog by its full ref).' }),
        severity: t.arg({ type: enums.Criticality, description: 'Only incidents of this severity.' }),
        first: t.arg.int({ defaultValue: DEFAULT_INCIDENT_PAGE }),
        after: t.arg.string(),
      },
      resolve: async (_root, args, ctx) => {
        const first = args.first ?? DEFAULT_INCIDENT_PAGE;
        if (first < 0 || first > MAX_INCIDENT_PAGE) throw badInput(`"first" must be between 0 and ${MAX_INCIDENT_PAGE}, got ${first}; page with "after" instead.`);
        const cursor = args.after === null || args.after === undefined ? undefined : decodeIncidentCursor(args.after);
        const query: IncidentQuery = { state: args.state ?? 'all' };
        if (args.entity !== null && args.entity !== undefined) query.ref = await entityRefArg(ctx, args.entity, 'entity');
        const stored = incidentStoreOf(ctx).incidents(query);
        const severity = args.severity ?? undefined;
        const all = severity ? stored.filter((i) => i.severity === severity) : stored;
        const rest = cursor ? all.filter(after(cursor)) : all;
        return { incidents: rest.slice(0, first), hasNextPage: rest.length > first, hasPreviousPage: rest.length < all.length, totalCount: all.length, matching: all };
      },
    }),
    incident: t.field({
      type: refs.Incident,
      nullable: true,
      description: 'One incident by id (`INC-<n>`); null when there is none.',
      args: { id: t.arg.string({ required: true }) },
      resolve: (_root, { id }, ctx) => incidentStoreOf(ctx).incident(id.trim().toUpperCase()) ?? null,
    }),
  }));
}
