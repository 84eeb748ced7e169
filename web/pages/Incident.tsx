/**
 * `/incidents/{id}`: the incident with its timeline, signals, correlated and
 * impacted entities (drawn around the root), runbooks and probable causes;
 * acknowledge, resolve, note and dismiss for responders and admins (`me`).
 * Kept current by `incidentChanged(id)`.
 */
import type { JSX } from 'preact';
import { Criticality, DataTable } from '../components/common.tsx';
import { IncidentActions, DismissCause } from '../components/IncidentActions.tsx';
import { IncidentGraph } from '../components/IncidentGraph.tsx';
import { INCIDENT_CHANGED, IncidentState, RecordPage, Severity, Timeline, when, type TimelineEntry } from '../components/IncidentParts.tsx';
import { entityHref, Link } from '../router.tsx';
import { useLiveQuery } from '../sse.ts';

const INCIDENT = `query Incident($id: String!) { incident(id: $id) {
  id state severity title openedAt acknowledgedAt resolvedAt rootRef root { ref name title criticality }
  signals { ref source kind field state message firstSeen lastSeen }
  correlated { ref entity { name criticality } }
  impactedCount impacted { ref distance criticality }
  probableCauses { change { id number commits title recordedAt } reason dismissed { by at note } }
  runbooks { path title html } timeline { at type by message note } problemId } }`;

export interface IncidentData {
  id: string;
  state: string;
  severity: string;
  title: string;
  openedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  rootRef: string | null;
  root: { ref: string; name: string; title: string | null; criticality: string | null } | null;
  signals: Array<{ ref: string | null; source: string; kind: string; field: string | null; state: string; message: string; firstSeen: string; lastSeen: string }>;
  correlated: Array<{ ref: string; entity: { name: string; criticality: string | null } | null }>;
  impactedCount: number;
  impacted: Array<{ ref: string; distance: number; criticality: string | null }>;
  probableCauses: Array<{ change: { id: string; number: number | null; commits: string[]; title: string; recordedAt: string }; reason: string; dismissed: { by: string; at: string; note: string | null } | null }>;
  runbooks: Array<{ path: string; title: string; html: string | null }>;
  timeline: TimelineEntry[];
  problemId: string | null;
}

export function IncidentPage({ id }: { id: string }): JSX.Element {
  const state = useLiveQuery<{ incident: IncidentData | null }>(INCIDENT, { id }, { query: INCIDENT_CHANGED, variables: { id } }, id);
  return (
    <RecordPage
      noun="Incident"
      id={id}
      list="/incidents"
      read={state}
      record={state.data?.incident}
      facts={(incident) => (
        <>
          <dt>State</dt>
          <dd data-testid="state">
            <IncidentState state={incident.state} />
          </dd>
          <dt>Severity</dt>
          <dd>
            <Severity value={incident.severity} />
          </dd>
          <dt>Root</dt>
          <dd>{incident.rootRef ? <Link href={entityHref(incident.rootRef)}>{incident.rootRef}</Link> : '— (an alert naming no entity)'}</dd>
          <dt>Opened</dt>
          <dd>{when(incident.openedAt)}</dd>
          <dt>Acknowledged</dt>
          <dd>{when(incident.acknowledgedAt)}</dd>
          <dt>Resolved</dt>
          <dd>{when(incident.resolvedAt)}</dd>
          <dt>Problem</dt>
          <dd>{incident.problemId ? <Link href={`/problems/${encodeURIComponent(incident.problemId)}`}>{incident.problemId}</Link> : '—'}</dd>
        </>
      )}
      actions={(incident) => <IncidentActions incident={incident} onDone={state.refresh} />}
    >
      {(incident) => (
        <>
          <Timeline entries={incident.timeline} />
          <Signals incident={incident} />
          <Entities incident={incident} />
          <Runbooks incident={incident} />
          <Causes incident={incident} onDone={state.refresh} />
        </>
      )}
    </RecordPage>
  );
}

function Signals({ incident }: { incident: IncidentData }): JSX.Element {
  return (
    <section aria-labelledby="signals">
      <h2 id="signals">Signals</h2>
      <DataTable caption="What was observed" columns={['Entity', 'Source', 'Kind', 'Field or alert', 'State', 'Message', 'Last seen']}>
        {incident.signals.map((s, i) => (
          <tr key={i}>
            <td>{s.ref ? <Link href={entityHref(s.ref)}>{s.ref}</Link> : '—'}</td>
            <td>{s.source}</td>
            <td>{s.kind}</td>
            <td>{s.field ?? '—'}</td>
            <td>{s.state}</td>
            <td>{s.message}</td>
            <td>{when(s.lastSeen)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function Entities({ incident }: { incident: IncidentData }): JSX.Element {
  return (
    <section aria-labelledby="entities">
      <h2 id="entities">Correlated and impacted entities</h2>
      {incident.rootRef ? <IncidentGraph incident={incident} /> : null}
      <div class="columns">
        <div>
          <h3>Correlated</h3>
          {incident.correlated.length === 0 ? (
            <p>None: only the root signalled.</p>
          ) : (
            <ul data-testid="correlated">
              {incident.correlated.map((c) => (
                <li key={c.ref}>
                  <Link href={entityHref(c.ref)}>{c.ref}</Link>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Impacted</h3>
          <p>
            {incident.impactedCount} {incident.impactedCount === 1 ? 'entity' : 'entities'}
            {incident.impacted.length < incident.impactedCount ? ` (the nearest ${incident.impacted.length} listed)` : ''}.
          </p>
          {incident.impacted.length ? (
            <DataTable testid="impacted" caption="Impacted by the root" columns={['Ref', 'Distance', 'Criticality']}>
              {incident.impacted.map((e) => (
                <tr key={e.ref}>
                  <td>
                    <Link href={entityHref(e.ref)}>{e.ref}</Link>
                  </td>
                  <td>{e.distance}</td>
                  <td>
                    <Criticality value={e.criticality} />
                  </td>
                </tr>
              ))}
            </DataTable>
          ) : null}
        </div>
      </div>
    </section>
  );
}

/** A runbook's headings under the page's own (h1) and section's (h2): `# Title` becomes an h3 (micromark writes bare `<hN>` tags). */
const nested = (html: string) => html.replace(/<(\/?)h([1-6])>/g, (_, close: string, level: string) => `<${close}h${Math.min(6, Number(level) + 2)}>`);

function Runbooks({ incident }: { incident: IncidentData }): JSX.Element {
  return (
    <section aria-labelledby="runbooks">
      <h2 id="runbooks">Runbooks</h2>
      {incident.runbooks.length === 0 ? (
        <p>None for these entities.</p>
      ) : (
        <ul class="runbooks">
          {incident.runbooks.map((r, i) => (
            <li key={r.path} data-path={r.path}>
              {/* The first one open: what to do is one click closer. The HTML comes from the API, which escapes raw HTML and unsafe links. */}
              <details open={i === 0}>
                <summary>
                  {r.title} <code>{r.path}</code>
                </summary>
                {r.html === null ? <p class="hint">Not a Markdown file of the served commit any more.</p> : <div class="runbook" dangerouslySetInnerHTML={{ __html: nested(r.html) }} />}
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Causes({ incident, onDone }: { incident: IncidentData; onDone(): void }): JSX.Element {
  return (
    <section aria-labelledby="causes">
      <h2 id="causes">Probable causes</h2>
      {incident.probableCauses.length === 0 ? (
        <p>No recent change touched these entities.</p>
      ) : (
        <ol data-testid="causes">
          {incident.probableCauses.map((c) => (
            <li key={c.change.id}>
              <strong>{c.change.title}</strong> <code>{c.change.id}</code>
              {c.change.number !== null ? ` (#${c.change.number})` : ''}, recorded {when(c.change.recordedAt)}: {c.reason}.
              {c.dismissed ? (
                <span class="hint">
                  {' '}
                  Dismissed by {c.dismissed.by} at {when(c.dismissed.at)}
                  {c.dismissed.note ? `: ${c.dismissed.note}` : ''}.
                </span>
              ) : (
                <DismissCause incident={incident.id} change={c.change.id} onDone={onDone} />
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
