/** The home page's "Open incidents" card: unresolved incidents by severity (the API counts them all: `bySeverity`), each linking to the list; kept current by `incidentChanged`. */
import type { JSX } from 'preact';
import { ApiError } from '../graphql.ts';
import { Link } from '../router.tsx';
import { useLiveQuery } from '../sse.ts';
import { ErrorBox, Loading } from './common.tsx';
import { INCIDENT_CHANGED, Severity } from './IncidentParts.tsx';

const OPEN_COUNTS = `query OpenIncidentCounts { incidents(state: UNRESOLVED, first: 0) { totalCount bySeverity { severity count } } }`;
type OpenCounts = { incidents: { totalCount: number; bySeverity: Array<{ severity: string; count: number }> } };

export function IncidentHomeCard(): JSX.Element {
  const state = useLiveQuery<OpenCounts>(OPEN_COUNTS, {}, { query: INCIDENT_CHANGED }, 'home-incidents');
  if (state.error && !state.data) {
    if (state.error instanceof ApiError && state.error.code === 'NOT_AVAILABLE') return <p class="hint">This server keeps no incidents (it runs without --reconcile).</p>;
    return <ErrorBox error={state.error} />;
  }
  if (!state.data) return <Loading what="incidents" />;
  const { totalCount, bySeverity } = state.data.incidents;
  return (
    <div data-testid="open-incidents" data-live={state.live ? 'yes' : 'no'}>
      <p>
        <Link href="/incidents">
          {totalCount} unresolved {totalCount === 1 ? 'incident' : 'incidents'}
        </Link>
      </p>
      {bySeverity.length > 0 ? (
        <ul class="by-severity">
          {bySeverity.map(({ severity, count }) => (
            <li key={severity}>
              <Link href={`/incidents?severity=${severity}`}>
                {count} <Severity value={severity} />
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
