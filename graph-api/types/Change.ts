import type { RefString } from '../../catalog/types.ts';
import { firstCommitOf } from '../../incidents/kpis.ts';
import { isPullRequestRecord, type ChangeRecord } from '../../state/ChangeRecord.ts';
import type { Incident } from '../../state/IncidentRecords.ts';
import { requireRole } from '../auth.ts';
import type { ApiBuilder } from '../builder.ts';
import type { ApiContext } from '../context.ts';
import { causedIncidents, changeStoreOf, refArg, timeArg } from '../changeData.ts';
import { badInput } from '../errors.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../paging.ts';
import { loadExisting } from '../resolvers.ts';

/** `Change.causedIncidents`: an incident and why this change ranks as its cause. */
export interface CausedIncidentShape {
  incident: Incident;
  reason: string;
}

export interface ChangeConnectionShape {
  edges: Array<{ cursor: string; node: ChangeRecord }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

type ChangeSource = 'pull-request' | 'branch';
type ChangeState = 'succeeded' | 'failed';

const PREFIX = 'change:';
/** Opaque cursor of a change: base64url of `change:<id>` (records are immutable, so paging neither skips nor repeats). */
export const encodeChangeCursor = (id: string): string => Buffer.from(`${PREFIX}${id}`, 'utf8').toString('base64url');
function decodeChangeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  if (id === '' || encodeChangeCursor(id) !== cursor) throw badInput(`Invalid cursor "${cursor}": pass a cursor returned by edges.cursor or pageInfo.endCursor of changes.`);
  return id;
}

const sourceOf = (r: ChangeRecord): ChangeSource => (isPullRequestRecord(r) ? 'pull-request' : 'branch');
const pr = <K extends keyof Extract<ChangeRecord, { source?: 'pull-request' }>>(r: ChangeRecord, key: K) => (isPullRequestRecord(r) ? r[key] : null);
const MAX_ENTITIES = MAX_PAGE_SIZE;
const DEFAULT_ENTITIES = 100;

/** `Change` (a change record), `changes` and `change`. */
export function addChangeType(builder: ApiBuilder) {
  const Source = builder.enumType('ChangeSource', {
    description: 'How a change was recorded.',
    values: {
      PULL_REQUEST: { value: 'pull-request' as ChangeSource, description: 'A pull request merged through the GitHub controller (evaluated: risk, change type, decision, approvals).' },
      BRANCH: { value: 'branch' as ChangeSource, description: 'A move of the followed branch (`cmdb serve --reconcile` without GitHub): a commit range, not evaluated.' },
    },
  });
  const State = builder.enumType('ChangeState', {
    description: 'What became of a merged change (every change record is a merged one).',
    values: {
      SUCCEEDED: { value: 'succeeded' as ChangeState, description: 'It is the undismissed top probable cause of no incident.' },
      FAILED: { value: 'failed' as ChangeState, description: 'It is the undismissed top probable cause of at least one incident (it counts in the change failure rate).' },
    },
  });
  const CausedIncident = builder.objectRef<CausedIncidentShape>('CausedIncident').implement({
    description: 'An incident whose top probable cause (not dismissed) is the change.',
    fields: (t) => ({
      id: t.string({ resolve: (c) => c.incident.id }),
      title: t.string({ resolve: (c) => c.incident.title }),
      state: t.string({ description: '`open`, `acknowledged` or `resolved`.', resolve: (c) => c.incident.state }),
      severity: t.string({ resolve: (c) => c.incident.severity }),
      root: t.string({ nullable: true, resolve: (c) => c.incident.root }),
      openedAt: t.string({ resolve: (c) => c.incident.openedAt }),
      resolvedAt: t.string({ nullable: true, resolve: (c) => c.incident.resolvedAt ?? null }),
      reason: t.string({ description: 'Why the change ranks first, e.g. `changed the root component:default/db`.', resolve: (c) => c.reason }),
    }),
  });
  const causesOf = (ctx: ApiContext, r: ChangeRecord): CausedIncidentShape[] =>
    (causedIncidents(ctx, 'Change.causedIncidents').get(r.id) ?? []).map((incident) => ({ incident, reason: incident.probableCauses.find((p) => !p.dismissed)!.reason }));
  const entities = async (ctx: ApiContext, refs: readonly RefString[], first: number | null | undefined) => {
    const n = first ?? DEFAULT_ENTITIES;
    if (n < 0 || n > MAX_ENTITIES) throw badInput(`"first" must be between 0 and ${MAX_ENTITIES}, got ${n}.`);
    return loadExisting(ctx, refs.slice(0, n));
  };
  const entitiesHelp = `that the served catalog holds, in the record's order: of the first \`first\` refs (at most ${MAX_ENTITIES}).`;
  const Change = builder.objectRef<ChangeRecord>('Change').implement({
    description: 'A merged change, as recorded for KPIs and probable causes: a pull request, or a move of the followed branch. Times are RFC 3339, UTC.',
    fields: (t) => ({
      id: t.exposeString('id', { description: '`owner/repo#number` for a pull request, `branch:<base>..<head>` for a branch move.' }),
      source: t.field({ type: Source, resolve: sourceOf }),
      repository: t.exposeString('repository'),
      number: t.int({ nullable: true, description: 'The pull request number.', resolve: (r) => r.number ?? null }),
      title: t.exposeString('title'),
      author: t.string({ nullable: true, resolve: (r) => r.author ?? null }),
      url: t.string({ nullable: true, resolve: (r) => r.url ?? null }),
      risk: t.string({ nullable: true, description: '`low`, `moderate` or `high` (pull requests).', resolve: (r) => pr(r, 'risk') }),
      changeType: t.string({ nullable: true, description: '`standard`, `normal` or `emergency` (pull requests).', resolve: (r) => pr(r, 'changeType') }),
      decision: t.string({ nullable: true, description: 'The decision on the merged head: `pass`, `needs-approval` or `blocked` (an admin merge can override the gate) (pull requests).', resolve: (r) => pr(r, 'decision') }),
      approvedBy: t.stringList({ description: 'Logins whose approvals counted (empty for branch moves).', resolve: (r) => (isPullRequestRecord(r) ? r.approvedBy : []) }),
      approvedAt: t.string({ nullable: true, description: 'When the last approval that was needed was given; null when none was needed.', resolve: (r) => pr(r, 'approvedAt') }),
      openedAt: t.string({ nullable: true, description: 'When the pull request was opened.', resolve: (r) => pr(r, 'openedAt') }),
      firstCommitAt: t.string({ nullable: true, description: 'The earliest committer date of its commits, when recorded.', resolve: (r) => r.firstCommitAt ?? null }),
      mergedAt: t.exposeString('mergedAt'),
      leadTimeSeconds: t.float({
        nullable: true,
        description: 'Change lead time: merge minus first commit (`firstCommitAt`, else `openedAt`); null when neither is known.',
        resolve: (r) => {
          const first = firstCommitOf(r);
          return first === undefined ? null : Math.max(0, Date.parse(r.mergedAt) - Date.parse(first)) / 1000;
        },
      }),
      recordedAt: t.exposeString('recordedAt'),
      base: t.exposeString('base'),
      head: t.exposeString('head'),
      mergeCommit: t.exposeString('mergeCommit'),
      commits: t.stringList({ description: 'Full SHAs, parents first (empty on records kept before commits were recorded).', resolve: (r) => r.commits ?? [] }),
      changed: t.stringList({ description: 'Refs added, modified or removed.', resolve: (r) => r.changed }),
      impacted: t.stringList({ description: 'Refs reached from the changed ones (the blast radius).', resolve: (r) => r.impacted }),
      changedEntities: t.field({
        type: ['Entity'],
        description: `The changed entities ${entitiesHelp}`,
        args: { first: t.arg.int({ defaultValue: DEFAULT_ENTITIES }) },
        resolve: (r, { first }, ctx) => entities(ctx, r.changed, first),
      }),
      impactedEntities: t.field({
        type: ['Entity'],
        description: `The impacted entities ${entitiesHelp}`,
        args: { first: t.arg.int({ defaultValue: DEFAULT_ENTITIES }) },
        resolve: (r, { first }, ctx) => entities(ctx, r.impacted, first),
      }),
      causedIncidents: t.field({
        type: [CausedIncident],
        nullable: true,
        description: 'Incidents whose top probable cause (not dismissed) is this change, newest first; an error (NOT_AVAILABLE) on a server without incidents.',
        resolve: (r, _args, ctx) => causesOf(ctx, r),
      }),
      state: t.field({
        type: State,
        nullable: true,
        description: 'FAILED when it caused an incident; an error (NOT_AVAILABLE) on a server without incidents.',
        resolve: (r, _args, ctx) => (causesOf(ctx, r).length > 0 ? 'failed' : 'succeeded'),
      }),
    }),
  });
  const Edge = builder.objectRef<ChangeConnectionShape['edges'][number]>('ChangeEdge').implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque; pass as `after` to get the changes after this one.' }),
      node: t.field({ type: Change, resolve: (e) => e.node }),
    }),
  });
  const Connection = builder.objectRef<ChangeConnectionShape>('ChangeConnection').implement({
    description: 'One page of changes, newest merge first.',
    fields: (t) => ({
      edges: t.field({ type: [Edge], resolve: (c) => c.edges }),
      nodes: t.field({ type: [Change], resolve: (c) => c.edges.map((e) => e.node) }),
      pageInfo: t.field({ type: 'PageInfo', resolve: (c) => c.pageInfo }),
      totalCount: t.exposeInt('totalCount', { description: 'Changes matching the filters, over all pages.' }),
    }),
  });

  builder.queryFields((t) => ({
    changes: t.field({
      type: Connection,
      description: `Merged changes, newest merge first (then by id), paged forward: \`first\` (at most ${MAX_PAGE_SIZE}) after the cursor \`after\`. NOT_AVAILABLE on a server without change records (and with \`state\`, without incidents).`,
      args: {
        first: t.arg.int({ defaultValue: DEFAULT_PAGE_SIZE }),
        after: t.arg.string(),
        from: t.arg.string({ description: 'Merged at or after this time (ISO 8601).' }),
        to: t.arg.string({ description: 'Merged before this time (ISO 8601).' }),
        state: t.arg({ type: State, description: 'Only changes that caused an incident (FAILED) or none (SUCCEEDED).' }),
        source: t.arg({ type: Source, description: 'Only pull requests or only branch moves.' }),
        entity: t.arg.string({ description: 'Only changes that changed or impacted this entity (a ref; one the catalog no longer holds is matched as written).' }),
      },
      resolve: async (_root, args, ctx) => {
        requireRole(ctx, 'viewer');
        const limit = args.first ?? DEFAULT_PAGE_SIZE;
        if (limit < 0) throw badInput(`"first" must be 0 or more, got ${limit}.`);
        if (limit > MAX_PAGE_SIZE) throw badInput(`"first" must be at most ${MAX_PAGE_SIZE}, got ${limit}; page with "after" instead.`);
        const after = args.after === null || args.after === undefined ? undefined : decodeChangeCursor(args.after);
        const fromMs = args.from ? timeArg(args.from, 'from') : undefined;
        const toMs = args.to ? timeArg(args.to, 'to') : undefined;
        const store = changeStoreOf(ctx, 'changes');
        const ref = args.entity ? await refArg(ctx, args.entity, 'entity') : undefined;
        const caused = args.state ? causedIncidents(ctx, 'changes(state:)') : undefined;
        const all = await store.changes(fromMs === undefined ? {} : { since: new Date(fromMs) });
        const matching = all
          .filter((r) => toMs === undefined || Date.parse(r.mergedAt) < toMs)
          .filter((r) => !args.source || sourceOf(r) === args.source)
          .filter((r) => ref === undefined || r.changed.includes(ref) || r.impacted.includes(ref))
          .filter((r) => !caused || (caused.has(r.id) ? 'failed' : 'succeeded') === args.state)
          .reverse();
        let start = 0;
        if (after !== undefined) {
          const at = matching.findIndex((r) => r.id === after);
          if (at < 0) throw badInput(`The cursor "${args.after}" names no change of this listing: pass a cursor of the same filters.`);
          start = at + 1;
        }
        const page = matching.slice(start, start + limit);
        const edges = page.map((node) => ({ cursor: encodeChangeCursor(node.id), node }));
        return {
          edges,
          totalCount: matching.length,
          pageInfo: { hasNextPage: start + limit < matching.length, hasPreviousPage: start > 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges[edges.length - 1]?.cursor ?? null },
        };
      },
    }),
    change: t.field({
      type: Change,
      nullable: true,
      description: 'One change by id (`owner/repo#number`, `branch:<base>..<head>`); null when unknown. NOT_AVAILABLE on a server without change records.',
      args: { id: t.arg.string({ required: true }) },
      resolve: async (_root, { id }, ctx) => {
        requireRole(ctx, 'viewer');
        return (await changeStoreOf(ctx, 'change').getChange(id)) ?? null;
      },
    }),
  }));
  return Change;
}
