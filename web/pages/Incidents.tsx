/**
 * `/incidents`: unresolved incidents first (newest first), then the most
 * recently opened resolved ones; severity, root, impacted count, the top
 * probable cause and the state. Kept current by the `incidentChanged`
 * subscription (no reload). `?severity=HIGH` keeps one severity (the API
 * filters: every incident of it is read). Every unresolved incident is listed
 * (`unresolvedIncidents`: page by page, up to 2,000).
 */
import type { JSX } from 'preact';
import { DataTable, ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { FilterLinks, INCIDENT_CHANGED, IncidentState, LiveNote, RootLink, SEVERITIES, Severity, when } from '../components/IncidentParts.tsx';
import { request } from '../graphql.ts';
import { Link, useLocation } from '../router.tsx';
import { useLiveQuery } from '../sse.ts';
import { unresolvedIncidents } from '../unresolvedIncidents.ts';

/** An incident row's fields besides its id. */
const ROW = `state severity title openedAt resolvedAt rootRef root { ref title } impactedCount probableCauses { change { id title } reason dismissed { by } }`;
const RESOLVED = `query ResolvedIncidents($severity: Criticality) { incidents(state: RESOLVED, severity: $severity, first: 20) { totalCount nodes { id ${ROW} } } }`;

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

/** Every unresolved incident (up to 2,000) and the latest resolved ones, of one severity when given. */
async function readIncidents({ severity }: { severity?: string }): Promise<{ open: Page; resolved: Page }> {
  const [open, resolved] = await Promise.all([unresolvedIncidents<IncidentRow>(ROW, severity), request<{ incidents: Page }>(RESOLVED, { severity })]);
  return { open, resolved: resolved.incidents };
}

export function IncidentsPage(): JSX.Element {
  const loc = useLocation();
  const asked = loc.query.get('severity')?.toUpperCase() || undefined;
  const severity = asked && (SEVERITIES as readonly string[]).includes(asked) ? asked : undefined;
  const state = useLiveQuery(readIncidents, { severity }, { query: INCIDENT_CHANGED }, `incidents|${severity ?? ''}`);
  return (
    <>
      <PageTitle text="Incidents" />
      <FilterLinks label="Severity" param="severity" values={SEVERITIES} current={severity} />
      {asked && !severity ? <p class="hint" data-testid="unknown-severity">There is no severity “{asked.toLowerCase()}”: all incidents are listed.</p> : null}
      <LiveNote live={state.live} />
      {state.error ? <ErrorBox error={state.error} /> : null}
      {state.data ? (
        <>
          <IncidentTable caption={unresolvedCaption(state.data.open)} rows={state.data.open.nodes} testid="unresolved" />
          <IncidentTable caption={`Recently resolved (the last ${state.data.resolved.nodes.length} of ${state.data.resolved.totalCount})`} rows={state.data.resolved.nodes} testid="resolved" />
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
    <DataTable class="incidents" testid={testid} caption={caption} columns={['Incident', 'Severity', 'Root', 'Impacted', 'Probable cause', 'State', 'Opened']}>
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
              <td>
                <RootLink rootRef={r.rootRef} root={r.root} />
              </td>
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
    </DataTable>
  );
}
