/**
 * `/problems/{id}`: a problem with its incidents (links), its timeline and
 * its workaround; a responder (or an admin: `me`) records the workaround,
 * sets the state (known error, resolved) or adds a note (`updateProblem`,
 * which the server checks again). Read again on each `incidentChanged` and
 * after an action.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { allowed, me } from '../auth.ts';
import { DataTable, ErrorBox } from '../components/common.tsx';
import { INCIDENT_CHANGED, IncidentState, RecordPage, RootLink, Severity, Timeline, when, type TimelineEntry } from '../components/IncidentParts.tsx';
import { request } from '../graphql.ts';
import { Link } from '../router.tsx';
import { useLiveQuery } from '../sse.ts';
import { useStore } from '../store.ts';
import { PROBLEM_STATES, ProblemState, type ProblemRow } from './Problems.tsx';

const PROBLEM = `query Problem($id: String!) { problem(id: $id) {
  id state title key kind rootRef root { ref title } openedAt updatedAt resolvedAt workaround
  incidents { id state severity title openedAt resolvedAt }
  timeline { at type by message note } } }`;
const UPDATE = `mutation UpdateProblem($id: String!, $note: String, $state: ProblemState, $workaround: String) { updateProblem(id: $id, note: $note, state: $state, workaround: $workaround) { id state workaround } }`;

interface ProblemData extends Omit<ProblemRow, 'incidents'> {
  updatedAt: string;
  incidents: Array<{ id: string; state: string; severity: string; title: string; openedAt: string; resolvedAt: string | null }>;
  timeline: TimelineEntry[];
}

export function ProblemPage({ id }: { id: string }): JSX.Element {
  const read = useLiveQuery<{ problem: ProblemData | null }>(PROBLEM, { id }, { query: INCIDENT_CHANGED }, `problem ${id}`);
  return (
    <RecordPage
      noun="Problem"
      id={id}
      list="/problems"
      read={read}
      record={read.data?.problem}
      facts={(problem) => (
        <>
          <dt>State</dt>
          <dd data-testid="state">
            <ProblemState state={problem.state} />
          </dd>
          <dt>Root</dt>
          <dd>
            <RootLink rootRef={problem.rootRef} root={problem.root} />
          </dd>
          <dt>Kind</dt>
          <dd>{problem.kind}</dd>
          <dt>Workaround</dt>
          <dd data-testid="workaround">{problem.workaround ?? '— (not known yet)'}</dd>
          <dt>Opened</dt>
          <dd>{when(problem.openedAt)}</dd>
          <dt>Resolved</dt>
          <dd>{when(problem.resolvedAt)}</dd>
        </>
      )}
      actions={(problem) => <ProblemActions key={`${problem.updatedAt} ${problem.workaround ?? ''}`} problem={problem} onDone={read.refresh} />}
    >
      {(problem) => (
        <>
          <ProblemIncidents problem={problem} />
          <Timeline entries={problem.timeline} />
        </>
      )}
    </RecordPage>
  );
}

function ProblemIncidents({ problem }: { problem: ProblemData }): JSX.Element {
  return (
    <section aria-labelledby="incidents">
      <h2 id="incidents">Incidents</h2>
      <DataTable testid="problem-incidents" caption={`The incidents that recurred (${problem.incidents.length})`} columns={['Incident', 'Severity', 'State', 'Opened', 'Resolved']}>
        {problem.incidents.map((i) => (
          <tr key={i.id} data-id={i.id}>
            <td>
              <Link href={`/incidents/${encodeURIComponent(i.id)}`}>{i.id}</Link> {i.title}
            </td>
            <td>
              <Severity value={i.severity} />
            </td>
            <td>
              <IncidentState state={i.state} />
            </td>
            <td>{when(i.openedAt)}</td>
            <td>{when(i.resolvedAt)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function ProblemActions({ problem, onDone }: { problem: ProblemData; onDone(): void }): JSX.Element {
  const caller = useStore(me);
  const [workaround, setWorkaround] = useState(problem.workaround ?? '');
  const [state, setState] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  if (!allowed(caller, 'RESPONDER')) {
    return (
      <section aria-labelledby="actions">
        <h2 id="actions">Actions</h2>
        <p data-testid="no-actions">Recording a workaround or a state needs the responder role{caller ? ` (you are ${caller.name}, ${caller.role.toLowerCase()})` : ''}.</p>
      </section>
    );
  }
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const changed = workaround.trim() !== (problem.workaround ?? '');
      // Nothing given is the server's to refuse (BAD_USER_INPUT), and says so.
      await request(UPDATE, { id: problem.id, note: note.trim() || null, state: state || null, workaround: changed ? workaround.trim() : null });
      setNote('');
      setState('');
      onDone();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">Actions</h2>
      <form class="incident-actions" onSubmit={(e) => (e.preventDefault(), void save())}>
        <label for="workaround">Workaround</label>
        <textarea id="workaround" rows={3} value={workaround} maxLength={10000} onInput={(e) => setWorkaround((e.target as HTMLTextAreaElement).value)} />
        <label for="problem-state">State</label>
        <select id="problem-state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
          <option value="">(unchanged: {problem.state.toLowerCase().replace('_', ' ')})</option>
          {PROBLEM_STATES.filter((s) => s !== problem.state).map((s) => (
            <option key={s} value={s}>
              {s.toLowerCase().replace('_', ' ')}
            </option>
          ))}
        </select>
        <label for="problem-note">Note</label>
        <textarea id="problem-note" rows={2} value={note} maxLength={10000} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        <p>
          <button type="submit" disabled={busy}>
            Save
          </button>
        </p>
      </form>
      {error ? <ErrorBox error={error} title="The update was refused" /> : null}
    </section>
  );
}
