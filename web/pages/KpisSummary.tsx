/** The home page's KPI card: the last 30 days' deployment frequency, change failure rate and MTTR, linking to /kpis. */
import type { JSX } from 'preact';
import { ErrorBox, Loading } from '../components/common.tsx';
import { ApiError, useQuery } from '../graphql.ts';
import { Link } from '../router.tsx';
import { formatDuration, formatPerDay, formatRate, lastDays } from './KpisPeriod.tsx';

const SUMMARY = `query KpiSummary($from: String!, $to: String!) { kpis(from: $from, to: $to) { changes incidents deploymentFrequency changeFailureRate meanTimeToRestoreSeconds } }`;

interface Summary {
  kpis: { changes: number; incidents: number; deploymentFrequency: number; changeFailureRate: number | null; meanTimeToRestoreSeconds: number | null };
}

/** A NOT_AVAILABLE answer: the server keeps no change records or incidents (not `--reconcile`). */
const notAvailable = (e: Error): boolean => e instanceof ApiError && e.code === 'NOT_AVAILABLE';

export function KpiSummary(): JSX.Element {
  const period = lastDays(30, new Date());
  const state = useQuery<Summary>(SUMMARY, period, `kpi-summary|${period.from}`);
  if (state.loading) return <Loading what="the KPIs" />;
  if (state.error)
    return notAvailable(state.error) ? (
      <p class="stub">KPIs need a server that keeps change records and incidents (cmdb serve --reconcile).</p>
    ) : (
      <ErrorBox error={state.error} />
    );
  const k = state.data.kpis;
  return (
    <>
      <p class="hint">Last 30 days</p>
      {k.changes === 0 && k.incidents === 0 ? (
        <p>No changes in this period.</p>
      ) : (
        <dl class="kpi-summary">
          <dt>Deployment frequency</dt>
          <dd data-kpi="deploymentFrequency">{formatPerDay(k.deploymentFrequency)}</dd>
          <dt>Change failure rate</dt>
          <dd data-kpi="changeFailureRate">{k.changeFailureRate === null ? 'none' : formatRate(k.changeFailureRate)}</dd>
          <dt>MTTR</dt>
          <dd data-kpi="mttr">{k.meanTimeToRestoreSeconds === null ? 'none' : formatDuration(k.meanTimeToRestoreSeconds)}</dd>
        </dl>
      )}
      <p>
        <Link href="/kpis">All KPIs, over time</Link>
      </p>
    </>
  );
}
