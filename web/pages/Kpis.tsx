/**
 * `/kpis`: delivery and stability KPIs (docs/kpis.md) of a period, as numbers
 * with their DORA meaning (`kpis`) and as charts over time (`kpiSeries`, drawn
 * with uPlot). Period, bucket, system and owner live in the URL.
 */
import type { JSX } from 'preact';
import { Chart } from '../components/Chart.tsx';
import { ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { useQuery } from '../graphql.ts';
import { navigate, useLocation, withQuery } from '../router.tsx';
import { bucketLabel, formatDuration, formatHours, formatPerDay, formatRate, readView, type KpiView } from './KpisPeriod.tsx';

export interface KpiNumbers {
  changes: number;
  incidents: number;
  deploymentFrequency: number;
  leadTimeP50Seconds: number | null;
  leadTimeP90Seconds: number | null;
  failedChanges: number;
  changeFailureRate: number | null;
  failedChangeRecoveryTimeSeconds: number | null;
  meanTimeToRestoreSeconds: number | null;
  medianTimeToRestoreSeconds: number | null;
  resolvedIncidents: number;
}
type Point = { from: string; value: number | null };
interface KpiData {
  kpis: KpiNumbers;
  deploymentFrequency: Point[];
  leadTimeP50: Point[];
  leadTimeP90: Point[];
  changeFailureRate: Point[];
  recovery: Point[];
  mttr: Point[];
}

const SCOPE = 'from: $from, to: $to, system: $system, owner: $owner';
const series = (alias: string, metric: string) => `${alias}: kpiSeries(metric: ${metric}, bucket: $bucket, ${SCOPE}) { from value }`;
const QUERY = `query Kpis($from: String!, $to: String!, $system: String, $owner: String, $bucket: KpiBucket!) {
  kpis(${SCOPE}) { changes incidents deploymentFrequency leadTimeP50Seconds leadTimeP90Seconds failedChanges changeFailureRate
    failedChangeRecoveryTimeSeconds meanTimeToRestoreSeconds medianTimeToRestoreSeconds resolvedIncidents }
  ${series('deploymentFrequency', 'DEPLOYMENT_FREQUENCY')}
  ${series('leadTimeP50', 'LEAD_TIME_P50')}
  ${series('leadTimeP90', 'LEAD_TIME_P90')}
  ${series('changeFailureRate', 'CHANGE_FAILURE_RATE')}
  ${series('recovery', 'FAILED_CHANGE_RECOVERY_TIME')}
  ${series('mttr', 'MEAN_TIME_TO_RESTORE')}
}`;
const CHOICES = `{ systems: entities(kind: "System", first: 500) { nodes { ref name } } owners: entities(kind: "Group", first: 500) { nodes { ref name } } }`;

export const DORA_GUIDE = 'https://dora.dev/guides/dora-metrics/';

export function KpisPage(): JSX.Element {
  const loc = useLocation();
  const view = readView(loc.query, new Date());
  const vars = { from: view.from, to: view.to, system: view.system || null, owner: view.owner || null, bucket: view.bucket.toUpperCase() };
  const state = useQuery<KpiData>(QUERY, vars, JSON.stringify(vars));
  return (
    <>
      <PageTitle text="KPIs" />
      <p class="lede">
        Delivery and stability of the changes merged and the incidents opened in the period ({view.label}
        {view.system ? `, system ${view.system}` : ''}
        {view.owner ? `, owner ${view.owner}` : ''}), computed by the server from its change records and incidents. Times are UTC.
      </p>
      <Filters view={view} />
      {view.problem ? <p class="warning">{view.problem}</p> : null}
      {state.loading ? <Loading what="the KPIs" /> : state.error ? <ErrorBox error={state.error} /> : <Report view={view} data={state.data} />}
    </>
  );
}

function Filters({ view }: { view: KpiView }): JSX.Element {
  const loc = useLocation();
  const choices = useQuery<{ systems: { nodes: Array<{ ref: string; name: string }> }; owners: { nodes: Array<{ ref: string; name: string }> } }>(CHOICES, {}, 'kpi-choices');
  const go = (changes: Record<string, string | undefined>) => navigate(withQuery(loc, changes));
  const onPeriod = (value: string) =>
    value === 'custom' ? go({ period: undefined, from: view.fromDate, to: view.toDate }) : go({ period: value === '30' ? undefined : value, from: undefined, to: undefined });
  const options = (nodes: Array<{ ref: string; name: string }> | undefined, current: string) => {
    const refs = (nodes ?? []).map((n) => n.ref);
    if (current && !refs.includes(current)) refs.unshift(current); // a deep link to a ref written another way
    return refs.map((r) => (
      <option key={r} value={r}>
        {r}
      </option>
    ));
  };
  return (
    <form class="filters kpi-filters" aria-label="KPI filters" onSubmit={(e) => e.preventDefault()}>
      <span class="field">
        <label for="kpi-period">Period</label>
        <select id="kpi-period" value={view.period} onChange={(e) => onPeriod((e.target as HTMLSelectElement).value)}>
          <option value="30">Last 30 days</option>
          <option value="90">Last 90 days</option>
          <option value="custom">From … to …</option>
        </select>
      </span>
      {view.period === 'custom' ? (
        <>
          <span class="field">
            <label for="kpi-from">From</label>
            <input id="kpi-from" type="date" value={view.fromDate} onChange={(e) => go({ from: (e.target as HTMLInputElement).value })} />
          </span>
          <span class="field">
            <label for="kpi-to">To (included)</label>
            <input id="kpi-to" type="date" value={view.toDate} onChange={(e) => go({ to: (e.target as HTMLInputElement).value })} />
          </span>
        </>
      ) : null}
      <span class="field">
        <label for="kpi-bucket">Bucket</label>
        <select id="kpi-bucket" value={view.bucket} onChange={(e) => go({ bucket: (e.target as HTMLSelectElement).value === 'week' ? 'week' : undefined })}>
          <option value="day">Day</option>
          <option value="week">Week</option>
        </select>
      </span>
      <span class="field">
        <label for="kpi-system">System</label>
        <select id="kpi-system" value={view.system} onChange={(e) => go({ system: (e.target as HTMLSelectElement).value })}>
          <option value="">All systems</option>
          {options(choices.data?.systems.nodes, view.system)}
        </select>
      </span>
      <span class="field">
        <label for="kpi-owner">Owner</label>
        <select id="kpi-owner" value={view.owner} onChange={(e) => go({ owner: (e.target as HTMLSelectElement).value })}>
          <option value="">All owners</option>
          {options(choices.data?.owners.nodes, view.owner)}
        </select>
      </span>
    </form>
  );
}

const xsOf = (points: Point[]) => points.map((p) => Date.parse(p.from) / 1000);
const valuesOf = (points: Point[], scale = 1) => points.map((p) => (p.value === null ? null : p.value * scale));
const HOURS = 1 / 3600;

function Report({ view, data }: { view: KpiView; data: KpiData }): JSX.Element {
  const k = data.kpis;
  if (k.changes === 0 && k.incidents === 0)
    return (
      <p class="empty" role="status">
        No changes in this period, and no incidents: nothing to compute from. Choose a longer period or another filter.
      </p>
    );
  const xs = xsOf(data.deploymentFrequency);
  const xLabel = bucketLabel(view.bucket);
  const per = view.bucket === 'week' ? 'week' : 'day';
  const noChanges = 'No changes in this period.';
  return (
    <>
      <KpiNumbersList k={k} />
      <h2>Over time, per {per}</h2>
      <div class="charts">
        <Chart
          title="Deployment frequency"
          unit="changes per day"
          xs={xs}
          xLabel={xLabel}
          bars
          format={formatPerDay}
          empty={noChanges}
          series={[{ label: 'Changes per day', values: k.changes ? valuesOf(data.deploymentFrequency) : [], colour: '#0a58ca' }]}
        />
        <Chart
          title="Lead time"
          unit="hours"
          xs={xs}
          xLabel={xLabel}
          format={formatHours}
          empty={noChanges}
          series={[
            { label: 'p50', values: valuesOf(data.leadTimeP50, HOURS), colour: '#0a58ca' },
            { label: 'p90', values: valuesOf(data.leadTimeP90, HOURS), colour: '#c2410c' },
          ]}
        />
        <Chart
          title="Change failure rate"
          unit="% of changes"
          xs={xs}
          xLabel={xLabel}
          bars
          format={(v) => `${Math.round(v * 10) / 10} %`}
          empty={noChanges}
          series={[{ label: 'Failed changes', values: valuesOf(data.changeFailureRate, 100), colour: '#b3261e' }]}
        />
        <Chart
          title="Failed-change recovery time"
          unit="hours"
          xs={xs}
          xLabel={xLabel}
          format={formatHours}
          empty="No failed change of this period has recovered (all its incidents resolved)."
          series={[{ label: 'Median', values: valuesOf(data.recovery, HOURS), colour: '#a16207' }]}
        />
        <Chart
          title="Mean time to restore"
          unit="hours"
          xs={xs}
          xLabel={xLabel}
          format={formatHours}
          empty="No incident opened in this period has been resolved."
          series={[{ label: 'Mean', values: valuesOf(data.mttr, HOURS), colour: '#15803d' }]}
        />
      </div>
    </>
  );
}

/** The period's KPIs as numbers, each with what it means (docs/kpis.md, after DORA). */
function KpiNumbersList({ k }: { k: KpiNumbers }): JSX.Element {
  const none = (v: number | null, f: (v: number) => string, why: string) => (v === null ? <span class="none">none ({why})</span> : f(v));
  return (
    <section aria-labelledby="kpi-numbers">
      <h2 id="kpi-numbers">In this period</h2>
      <dl class="kpis" data-testid="kpis">
        <dt>Changes</dt>
        <dd data-kpi="changes">{k.changes}</dd>
        <dt>Incidents</dt>
        <dd data-kpi="incidents">{k.incidents}</dd>
        <dt>Deployment frequency</dt>
        <dd>
          <span data-kpi="deploymentFrequency">{formatPerDay(k.deploymentFrequency)}</span>
          <p class="meaning">Changes merged per day of the period. DORA: “how often application changes are deployed to production”; in a GitOps CMDB a merged change of the config repository is the deployment.</p>
        </dd>
        <dt>Lead time</dt>
        <dd>
          <span data-kpi="leadTime">
            p50 {none(k.leadTimeP50Seconds, formatDuration, 'no change')}, p90 {none(k.leadTimeP90Seconds, formatDuration, 'no change')}
          </span>
          <p class="meaning">Per change, from its first commit to its merge; median and 90th percentile. DORA: “the amount of time it takes for a change to go from committed to version control to deployed in production”.</p>
        </dd>
        <dt>Change failure rate</dt>
        <dd>
          <span data-kpi="changeFailureRate">{none(k.changeFailureRate, formatRate, 'no change')}</span> ({k.failedChanges} of {k.changes} changes failed)
          <p class="meaning">
            A change failed when it is the top probable cause, not dismissed, of an incident. DORA: “the percentage of deployments that cause failures in production, requiring hotfixes or rollbacks”.
          </p>
        </dd>
        <dt>Failed-change recovery time</dt>
        <dd>
          <span data-kpi="recovery">{none(k.failedChangeRecoveryTimeSeconds, formatDuration, 'no failed change recovered')}</span>
          <p class="meaning">Per failed change whose incidents are all resolved, from its merge to the last resolution; median. DORA: “the time it takes to recover from a failed deployment”.</p>
        </dd>
        <dt>Time to restore (MTTR)</dt>
        <dd>
          <span data-kpi="mttr">
            mean {none(k.meanTimeToRestoreSeconds, formatDuration, 'no incident resolved')}, median {none(k.medianTimeToRestoreSeconds, formatDuration, 'no incident resolved')}
          </span>{' '}
          ({k.resolvedIncidents} of {k.incidents} incidents resolved)
          <p class="meaning">
            Over the incidents opened in the period and resolved, from opened to resolved. The older DORA measure, replaced in 2023 by failed-change recovery time because it does not tell a failure caused by a
            change from any other; kept because on-call teams read it.
          </p>
        </dd>
      </dl>
      <p class="hint">
        Definitions after DORA’s <a href={DORA_GUIDE}>software delivery performance metrics</a>. A KPI with nothing to compute from is “none”, not 0.
      </p>
    </section>
  );
}
