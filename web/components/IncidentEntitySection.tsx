/**
 * The entity page's "Runbooks, findings, incidents and changes": the
 * reconcilers' current findings (`findings(ref)`), the incidents whose root or
 * correlated entities include it (`incidents(entity:)`), the runbooks those
 * incidents name, and the merged changes that changed or impacted it
 * (`changes(entity:)`). Each is its own query: a server without incidents or
 * change records says so for that part only (NOT_AVAILABLE). Always the
 * current state, also when the page shows an older catalog.
 */
import type { JSX } from 'preact';
import { ApiError, useQuery, type QueryState } from '../graphql.ts';
import { Link } from '../router.tsx';
import { ErrorBox, Loading } from './common.tsx';
import { IncidentState, Severity, when } from './IncidentParts.tsx';

const FINDINGS = `query EntityFindings($ref: String!) { findings(ref: $ref) { key check finding message field since } }`;
const INCIDENTS = `query EntityIncidents($ref: String!) { incidents(entity: $ref, first: 20) { totalCount nodes { id state severity title openedAt runbooks { path title } } } }`;
const CHANGES = `query EntityChanges($ref: String!) { changes(entity: $ref, first: 10) { totalCount nodes { id title mergedAt source risk } } }`;

interface Incidents {
  incidents: { totalCount: number; nodes: Array<{ id: string; state: string; severity: string; title: string; openedAt: string; runbooks: Array<{ path: string; title: string }> }> };
}

export function IncidentEntitySection({ entityRef: ref, at }: { entityRef: string; at?: string }): JSX.Element {
  const findings = useQuery<{ findings: Array<{ key: string; check: string; finding: string; message: string; field: string | null; since: string }> }>(FINDINGS, { ref }, `f|${ref}`);
  const incidents = useQuery<Incidents>(INCIDENTS, { ref }, `i|${ref}`);
  const changes = useQuery<{ changes: { totalCount: number; nodes: Array<{ id: string; title: string; mergedAt: string; source: string; risk: string | null }> } }>(CHANGES, { ref }, `c|${ref}`);
  const runbooks = new Map<string, string>();
  for (const i of incidents.data?.incidents.nodes ?? []) for (const r of i.runbooks) runbooks.set(r.path, r.title);
  return (
    <section aria-labelledby="more" data-testid="entity-ops">
      <h2 id="more">Runbooks, findings, incidents and changes</h2>
      {at ? <p class="hint">These are current, not as of {at}.</p> : null}
      <div class="cards">
        <div class="card">
          <h3>Findings</h3>
          <Part state={findings} what="findings">
            {(d) =>
              d.findings.length === 0 ? (
                <p>None.</p>
              ) : (
                <ul data-testid="findings">
                  {d.findings.map((f) => (
                    <li key={f.key}>
                      <strong>{f.finding}</strong> ({f.check}
                      {f.field ? `, ${f.field}` : ''}) since {when(f.since)}: {f.message}
                    </li>
                  ))}
                </ul>
              )
            }
          </Part>
        </div>
        <div class="card">
          <h3>Incidents</h3>
          <Part state={incidents} what="incidents">
            {(d) =>
              d.incidents.nodes.length === 0 ? (
                <p>None.</p>
              ) : (
                <ul data-testid="entity-incidents">
                  {d.incidents.nodes.map((i) => (
                    <li key={i.id}>
                      <Link href={`/incidents/${encodeURIComponent(i.id)}`}>{i.id}</Link> <Severity value={i.severity} /> <IncidentState state={i.state} /> {i.title}
                    </li>
                  ))}
                  {d.incidents.totalCount > d.incidents.nodes.length ? <li>… and {d.incidents.totalCount - d.incidents.nodes.length} older.</li> : null}
                </ul>
              )
            }
          </Part>
        </div>
        <div class="card">
          <h3>Runbooks</h3>
          <Part state={incidents} what="runbooks">
            {() =>
              runbooks.size === 0 ? (
                <p>None named by its incidents.</p>
              ) : (
                <ul>
                  {[...runbooks].map(([path, title]) => (
                    <li key={path}>
                      {title} <code>{path}</code>
                    </li>
                  ))}
                </ul>
              )
            }
          </Part>
        </div>
        <div class="card">
          <h3>Changes</h3>
          <Part state={changes} what="changes">
            {(d) =>
              d.changes.nodes.length === 0 ? (
                <p>None recorded.</p>
              ) : (
                <ul data-testid="entity-changes">
                  {d.changes.nodes.map((c) => (
                    <li key={c.id}>
                      <Link href={`/changes/${encodeURIComponent(c.id)}`}>{c.title}</Link> <code>{c.id}</code>, merged {when(c.mergedAt)}
                      {c.risk ? `, ${c.risk} risk` : ''}
                    </li>
                  ))}
                </ul>
              )
            }
          </Part>
        </div>
      </div>
    </section>
  );
}

function Part<T>({ state, what, children }: { state: QueryState<T>; what: string; children: (data: T) => JSX.Element }): JSX.Element {
  if (state.loading) return <Loading what={what} />;
  if (state.error) {
    if (state.error instanceof ApiError && state.error.code === 'NOT_AVAILABLE') return <p class="hint">Not kept by this server ({state.error.message})</p>;
    return <ErrorBox error={state.error} />;
  }
  return children(state.data);
}
