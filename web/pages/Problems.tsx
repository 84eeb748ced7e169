/**
 * `/problems`: what made incidents recur (issue 11's problems), newest first,
 * open and known errors before resolved ones: the root and kind that
 * recurred, how many incidents, the state, the workaround once known.
 * `?state=OPEN|KNOWN_ERROR|RESOLVED` keeps one state. A problem changes with
 * its incidents: the list is read again on each `incidentChanged`.
 */
import type { JSX } from 'preact';
import { DataTable, ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { FilterLinks, INCIDENT_CHANGED, LiveNote, RootLink, when } from '../components/IncidentParts.tsx';
import { Link, useLocation } from '../router.tsx';
import { useLiveQuery } from '../sse.ts';

export const PROBLEM_STATES = ['OPEN', 'KNOWN_ERROR', 'RESOLVED'] as const;
const LIST = `query Problems($state: ProblemState) { problems(state: $state) { id state title key kind rootRef root { ref title } openedAt resolvedAt workaround incidents { id } } }`;

/** What the list reads of a problem (the page reads more: web/pages/Problem.tsx). */
export interface ProblemRow {
  id: string;
  state: string;
  title: string;
  key: string;
  kind: string;
  rootRef: string | null;
  root: { ref: string; title: string | null } | null;
  openedAt: string;
  resolvedAt: string | null;
  workaround: string | null;
  incidents: Array<{ id: string }>;
}

export function ProblemState({ state }: { state: string }): JSX.Element {
  return <span class={`incident-state state-${state.toLowerCase().replace('_', '-')}`}>{state.toLowerCase().replace('_', ' ')}</span>;
}

export function ProblemsPage(): JSX.Element {
  const loc = useLocation();
  const wanted = loc.query.get('state')?.toUpperCase();
  const state = PROBLEM_STATES.find((s) => s === wanted);
  const read = useLiveQuery<{ problems: ProblemRow[] }>(LIST, state ? { state } : {}, { query: INCIDENT_CHANGED }, `problems ${state ?? 'all'}`);
  const rows = read.data?.problems ?? [];
  // Unresolved first (the API lists newest first; the order within each group is kept).
  const ordered = [...rows.filter((r) => r.state !== 'RESOLVED'), ...rows.filter((r) => r.state === 'RESOLVED')];
  return (
    <>
      <PageTitle text="Problems" />
      <p class="hint">A problem is opened when incidents of one root and kind recur (cmdb.yaml `incidents.problems`); a responder records the workaround.</p>
      <FilterLinks label="State" param="state" values={PROBLEM_STATES} current={state} />
      <LiveNote live={read.live} />
      {read.error ? <ErrorBox error={read.error} /> : null}
      {read.data ? (
        <DataTable class="incidents" testid="problems" caption={`${state ? `${state.toLowerCase().replace('_', ' ')} problems` : 'Problems'} (${rows.length})`} columns={['Problem', 'Root', 'Kind', 'Incidents', 'State', 'Workaround', 'Opened']}>
          {ordered.length === 0 ? (
            <tr>
              <td colSpan={7}>None.</td>
            </tr>
          ) : (
            ordered.map((r) => (
              <tr key={r.id} data-id={r.id}>
                <td>
                  <Link href={`/problems/${encodeURIComponent(r.id)}`}>{r.id}</Link> {r.title}
                </td>
                <td>
                  <RootLink rootRef={r.rootRef} root={r.root} />
                </td>
                <td>{r.kind}</td>
                <td>{r.incidents.length}</td>
                <td>
                  <ProblemState state={r.state} />
                </td>
                <td>{r.workaround ?? '—'}</td>
                <td>{when(r.openedAt)}</td>
              </tr>
            ))
          )}
        </DataTable>
      ) : read.loading ? (
        <Loading what="problems" />
      ) : null}
    </>
  );
}
