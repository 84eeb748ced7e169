import type { RefString } from '../../catalog/types.ts';
import { KPI_METRICS, kpiSeries, kpisOver, MAX_SERIES_POINTS, prepareKpis, type KpiBucket, type KpiMetric, type KpiPoint, type Kpis, type PreparedKpis, type ServiceIncidents } from '../../incidents/kpis.ts';
import { requireRole } from '../auth.ts';
import type { ArgBuilder } from '@pothos/core';
import type { ApiBuilder, ApiTypes } from '../builder.ts';
import { changeStoreOf, incidentStoreOf, refArg, timeArg } from '../changeData.ts';
import type { ApiContext } from '../context.ts';
import { apiError, badInput } from '../errors.ts';
import { entityScopeOf } from '../kpiScope.ts';

export const DEFAULT_TOP_SERVICES = 10;
export const MAX_TOP_SERVICES = 100;

const constantCase = (name: string) => name.replace(/[A-Z0-9]+/g, (m) => `_${m}`).toUpperCase();

const METRIC_HELP: Record<KpiMetric, string> = {
  changes: 'Changes merged.',
  incidents: 'Incidents opened.',
  deploymentFrequency: 'Changes merged per day.',
  leadTimeP50: 'Change lead time, median (seconds).',
  leadTimeP90: 'Change lead time, 90th percentile (seconds).',
  changeFailureRate: 'Failed changes / changes.',
  changeSuccessRate: '1 - change failure rate.',
  failedChangeRecoveryTime: 'Failed-change recovery time, median (seconds).',
  meanTimeToRestore: 'Mean time to restore (seconds).',
  medianTimeToRestore: 'Median time to restore (seconds).',
  emergencyChangeRatio: 'Emergency changes / pull-request changes.',
};

interface Period {
  from: string;
  to: string;
  system?: string | null;
  owner?: string | null;
}

/** The records of the period's scope, read and prepared once per request and scope. */
async function prepared(ctx: ApiContext, field: string, args: Period): Promise<PreparedKpis> {
  requireRole(ctx, 'viewer');
  timeArg(args.from, 'from');
  timeArg(args.to, 'to');
  const changes = changeStoreOf(ctx, field);
  const incidents = incidentStoreOf(ctx, field);
  let scope: { system?: RefString; owner?: RefString; systemOf?: (r: RefString) => RefString | undefined; ownerOf?: (r: RefString) => RefString | undefined } = {};
  if (args.system || args.owner) {
    const snapshot = ctx.snapshot();
    if (!snapshot) throw apiError(`${field}(system:, owner:) is not available: the server serves no snapshot yet.`, 'NOT_AVAILABLE');
    scope = {
      ...entityScopeOf(snapshot),
      system: args.system ? await refArg(ctx, args.system, 'system') : undefined,
      owner: args.owner ? await refArg(ctx, args.owner, 'owner') : undefined,
    };
  }
  return prepareKpis({ changes: await changes.changes(), incidents: incidents.incidents(), ...scope });
}

/** A RangeError of incidents/kpis.ts (a bad period) as BAD_USER_INPUT. */
function asInput<T>(compute: () => T): T {
  try {
    return compute();
  } catch (e) {
    if (e instanceof RangeError) throw badInput(`${e.message}.`);
    throw e;
  }
}

/** `Kpis`, `KpiPoint`, `kpis` and `kpiSeries`: delivery and stability KPIs (docs/kpis.md). */
export function addKpiTypes(builder: ApiBuilder): void {
  const Metric = builder.enumType('KpiMetric', {
    description: 'A KPI of `kpis` that `kpiSeries` charts.',
    values: Object.fromEntries(KPI_METRICS.map((m) => [constantCase(m), { value: m, description: METRIC_HELP[m] }])) as Record<string, { value: KpiMetric }>,
  });
  const Bucket = builder.enumType('KpiBucket', {
    values: {
      DAY: { value: 'day' as KpiBucket, description: 'UTC days.' },
      WEEK: { value: 'week' as KpiBucket, description: 'ISO weeks (Monday 00:00 UTC).' },
    },
  });
  const Service = builder.objectRef<ServiceIncidents>('ServiceIncidents').implement({
    description: 'Incidents of one root.',
    fields: (t) => ({
      root: t.exposeString('root'),
      entity: t.field({ type: 'Entity', nullable: true, description: 'The root in the served catalog; null when it holds no such entity.', resolve: (s, _a, ctx) => ctx.loadEntity(s.root) }),
      incidents: t.exposeInt('incidents'),
    }),
  });
  const KpisRef = builder.objectRef<Kpis>('Kpis').implement({
    description: 'Delivery and stability KPIs of a period [from, to), following DORA\'s definitions (docs/kpis.md). Durations in seconds, rates between 0 and 1, null when there is nothing to compute them from.',
    fields: (t) => ({
      from: t.exposeString('from'),
      to: t.exposeString('to'),
      changes: t.exposeInt('changes', { description: 'Changes merged in the period.' }),
      incidents: t.exposeInt('incidents', { description: 'Incidents opened in the period.' }),
      deploymentFrequency: t.exposeFloat('deploymentFrequency', { description: 'Changes merged per day of the period.' }),
      leadTimeP50Seconds: t.float({ nullable: true, description: 'Change lead time (first commit to merge), median.', resolve: (k) => k.leadTimeP50 }),
      leadTimeP90Seconds: t.float({ nullable: true, description: 'Change lead time, 90th percentile.', resolve: (k) => k.leadTimeP90 }),
      failedChanges: t.exposeInt('failedChanges', { description: 'Changes of the period that are the undismissed top probable cause of an incident.' }),
      changeFailureRate: t.float({ nullable: true, description: 'failedChanges / changes.', resolve: (k) => k.changeFailureRate }),
      changeSuccessRate: t.float({ nullable: true, description: '1 - changeFailureRate.', resolve: (k) => k.changeSuccessRate }),
      failedChangeRecoveryTimeSeconds: t.float({
        nullable: true,
        description: 'Median, over the failed changes whose incidents are all resolved, of merge to the last of those resolutions.',
        resolve: (k) => k.failedChangeRecoveryTime,
      }),
      meanTimeToRestoreSeconds: t.float({ nullable: true, description: 'Mean of opened to resolved, over the incidents opened in the period and resolved.', resolve: (k) => k.meanTimeToRestore }),
      medianTimeToRestoreSeconds: t.float({ nullable: true, description: 'Median of the same.', resolve: (k) => k.medianTimeToRestore }),
      resolvedIncidents: t.exposeInt('resolvedIncidents', { description: 'Incidents opened in the period and resolved.' }),
      emergencyChangeRatio: t.float({ nullable: true, description: 'Emergency changes / pull-request changes (branch moves have no change type).', resolve: (k) => k.emergencyChangeRatio }),
      incidentsPerService: t.field({ type: [Service], description: 'Incidents opened in the period by root, most first (then by ref).', resolve: (k) => k.incidentsPerService }),
    }),
  });
  const Point = builder.objectRef<KpiPoint>('KpiPoint').implement({
    description: 'A metric over one bucket.',
    fields: (t) => ({
      from: t.exposeString('from', { description: 'The bucket\'s start, clipped to the series\' `from`.' }),
      to: t.exposeString('to', { description: 'Its end (exclusive), clipped to the series\' `to`.' }),
      value: t.float({ nullable: true, resolve: (p) => p.value }),
    }),
  });
  const periodArgs = (t: ArgBuilder<ApiTypes>) => ({
    from: t.string({ required: true, description: 'Start (ISO 8601), included.' }),
    to: t.string({ required: true, description: 'End (ISO 8601), excluded.' }),
    system: t.string({ description: 'Only changes that changed an entity of this System (up partOf), and incidents whose root is of it.' }),
    owner: t.string({ description: 'Only changes that changed an entity this owner owns (spec.owner), and incidents whose root it owns.' }),
  });
  builder.queryFields((t) => ({
    kpis: t.field({
      type: KpisRef,
      description: 'Delivery and stability KPIs of [from, to) (docs/kpis.md). NOT_AVAILABLE on a server without change records or incidents (cmdb serve --reconcile has both).',
      args: { ...periodArgs(t.arg), top: t.arg.int({ defaultValue: DEFAULT_TOP_SERVICES, description: `How many services incidentsPerService lists (at most ${MAX_TOP_SERVICES}).` }) },
      resolve: async (_root, args, ctx) => {
        const top = args.top ?? DEFAULT_TOP_SERVICES;
        if (top < 0 || top > MAX_TOP_SERVICES) throw badInput(`"top" must be between 0 and ${MAX_TOP_SERVICES}, got ${top}.`);
        const data = await prepared(ctx, 'kpis', args);
        return asInput(() => kpisOver(data, args.from, args.to, top));
      },
    }),
    kpiSeries: t.field({
      type: [Point],
      description: `One KPI per day or week over [from, to), for charts (at most ${MAX_SERIES_POINTS} points). NOT_AVAILABLE as kpis.`,
      args: { metric: t.arg({ type: Metric, required: true }), bucket: t.arg({ type: Bucket, required: true }), ...periodArgs(t.arg) },
      resolve: async (_root, args, ctx) => {
        const data = await prepared(ctx, 'kpiSeries', args);
        return asInput(() => kpiSeries(data, args.metric, args.bucket, args.from, args.to));
      },
    }),
  }));
}
