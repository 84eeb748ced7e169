/**
 * `/incidents`: unresolved incidents first (newest first), then the most
 * recently opened resolved ones; severity, root, impacted count, the top
 * probable cause and the state. Kept current by the `incidentChanged`
 * subscription (no reload). `?severity=HIGH` keeps one severity. Every
 * unresolved incident is listed (read page by page, up to MAX_UNRESOLVED).
 */
import type { JSX } from 'preact';
import { ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { FilterLinks, INCIDENT_CHANGED, IncidentState, LiveNote, SEVERITIES, Severity, when } from '../components/IncidentParts.tsx';
import { request } from '../graphql.ts';
import { entityHref, Link, useLocation } from '../router.tsx';
import { useLiveQuery } from '../sse.ts';

const ROW = `id state severity title openedAt resolvedAt rootRef root { ref title } impactedCount probableCauses { change { id title } reason dismissed { by } }`;
const OPEN = `totalCount pageInfo { hasNextPage endCursor } nodes { ${ROW} }`;
const LIST = `query Incidents { open: incidents(state: UNRESOLVED, first: 200) { ${OPEN} } resolved: incidents(state: RESOLVED, first: 20) { totalCount nodes { ${ROW} } } }`;
const MORE = `query MoreIncidents($after: String) { open: incidents(state: UNRESOLVED, first: 200, after: $after) { ${OPEN} } }`;

/** Unresolved incidents are read page by page (200 each, the API's most) up to this many; the caption says when there are more. */
export const MAX_UNRESOLVED = 2000;

export interface IncidentRow {
  id: string;
  state: string;
  severity: string;
  title: string;
  openedAt: string;
  resolvedAt: string | null;
  rootRef: string | null;
  root: { ref: string; title: string | null } | null;
  impactedCount: number;
  probableCauses: Array<{ change: { id: string; title: string }; reason: string; dismissed: { by: string } | null }>;
}
type Page = { totalCount: number; nodes: IncidentRow[] };
type OpenPage = Page & { pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/**
 * The unresolved incidents, every page up to MAX_UNRESOLVED (an incident met
 * twice, when the list moved between two pages, is listed once), and the
 * latest resolved ones.
 */
async function readIncidents(): Promise<{ open: Page; resolved: Page }> {
  const first = await request<{ open: OpenPage; resolved: Page }>(LIST);
  const nodes = [...first.open.nodes];
  const seen = new Set(nodes.map((n) => n.id));
  let page = first.open;
  while (page.pageInfo.hasNextPage && page.pageInfo.endCursor && nodes.length < MAX_UNRESOLVED) {
    page = (await request<{ open: OpenPage }>(MORE, { after: page.pageInfo.endCursor })).open;
    for (const n of page.nodes) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      nodes.push(n);
    }
  }
  return { open: { totalCount: page.totalCount, nodes }, resolved: first.resolved };
}

export function IncidentsPage(): JSX.Element {
  const loc = useLocation();
  const severity = loc.query.get('severity')?.toUpperCase() || undefined;
  const state = useLiveQuery<{ open: Page; resolved: Page }>(readIncidents, {}, { query: INCIDENT_CHANGED }, 'incidents');
  const keep = (rows: IncidentRow[]) => (severity ? rows.filter((r) => r.severity === severity) : rows);
  return (
    <>
      <PageTitle text="Incidents" />
      <FilterLinks label="Severity" param="severity" values={SEVERITIES} current={severity} />
      <LiveNote live={state.live} />
      {state.error ? <ErrorBox error={state.error} /> : null}
      {state.data ? (
        <>
          <IncidentTable caption={unresolvedCaption(state.data.open)} rows={keep(state.data.open.nodes)} testid="unresolved" />
          <IncidentTable caption={`Recently resolved (the last ${state.data.resolved.nodes.length} of ${state.data.resolved.totalCount})`} rows={keep(state.data.resolved.nodes)} testid="resolved" />
        </>
      ) : state.loading ? (
        <Loading what="incidents" />
      ) : null}
    </>
  );
}

const unresolvedCaption = ({ totalCount, nodes }: Page) => `Unresolved (${totalCount})${nodes.length < totalCount ? `, the newest ${nodes.length} listed` : ''}`;

/** The top probable cause: the first one nobody dismissed. */
export const topCause = (row: Pick<IncidentRow, 'probableCauses'>) => row.probableCauses.find((c) => !c.dismissed);

function IncidentTable({ caption, rows, testid }: { caption: string; rows: IncidentRow[]; testid: string }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="incidents" data-testid={testid}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Incident</th>
            <th scope="col">Severity</th>
            <th scope="col">Root</th>
            <th scope="col">Impacted</th>
            <th scope="col">Probable cause</th>
            <th scope="col">State</th>
            <th scope="col">Opened</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={7}>None.</td>
            </tr>
          ) : (
            rows.map((r) => {
              const cause = topCause(r);
              return (
                <tr key={r.id} data-id={r.id}>
                  <td>
                    <Link href={`/incidents/${encodeURIComponent(r.id)}`}>{r.id}</Link> {r.title}
                  </td>
                  <td>
                    <Severity value={r.severity} />
                  </td>
                  <td>{r.rootRef ? <Link href={entityHref(r.rootRef)}>{r.root?.title ?? r.rootRef}</Link> : '—'}</td>
                  <td>{r.impactedCount}</td>
                  <td>{cause ? <span title={cause.reason}>{cause.change.title}</span> : '—'}</td>
                  <td>
                    <IncidentState state={r.state} />
                  </td>
                  <td>{when(r.openedAt)}</td>
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
