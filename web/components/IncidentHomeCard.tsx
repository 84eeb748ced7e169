/** The home page's "Open incidents" card: unresolved incidents by severity (every one, up to 2,000), each linking to the list; kept current by `incidentChanged`. */
import type { JSX } from 'preact';
import { ApiError } from '../graphql.ts';
import { Link } from '../router.tsx';
import { useLiveQuery } from '../sse.ts';
import { unresolvedIncidents } from '../unresolvedIncidents.ts';
import { ErrorBox, Loading } from './common.tsx';
import { INCIDENT_CHANGED, SEVERITIES, Severity } from './IncidentParts.tsx';

const readOpen = async () => ({ incidents: await unresolvedIncidents<{ id: string; severity: string }>('severity') });

export function IncidentHomeCard(): JSX.Element {
  const state = useLiveQuery(readOpen, {}, { query: INCIDENT_CHANGED }, 'home-incidents');
  if (state.error && !state.data) {
    if (state.error instanceof ApiError && state.error.code === 'NOT_AVAILABLE') return <p class="hint">This server keeps no incidents (it runs without --reconcile).</p>;
    return <ErrorBox error={state.error} />;
  }
  if (!state.data) return <Loading what="incidents" />;
  const { totalCount, nodes } = state.data.incidents;
  const count = (s: string) => nodes.filter((n) => n.severity === s).length;
  return (
    <div data-testid="open-incidents" data-live={state.live ? 'yes' : 'no'}>
      <p>
        <Link href="/incidents">
          {totalCount} unresolved {totalCount === 1 ? 'incident' : 'incidents'}
        </Link>
        {nodes.length < totalCount ? ` (the newest ${nodes.length} counted below)` : ''}
      </p>
      {totalCount ? (
        <ul class="by-severity">
          {SEVERITIES.filter((s) => count(s) > 0).map((s) => (
            <li key={s}>
              <Link href={`/incidents?severity=${s}`}>
                {count(s)} <Severity value={s} />
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
