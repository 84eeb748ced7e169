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
import { ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { INCIDENT_CHANGED, IncidentState, LiveNote, Severity, when } from '../components/IncidentParts.tsx';
import { request } from '../graphql.ts';
import { entityHref, Link } from '../router.tsx';
import { useLiveQuery } from '../sse.ts';
import { useStore } from '../store.ts';
import { PROBLEM_STATES, ProblemState } from './Problems.tsx';

const PROBLEM = `query Problem($id: String!) { problem(id: $id) {
  id state title key kind rootRef root { ref title } openedAt updatedAt resolvedAt workaround
  incidents { id state severity title openedAt resolvedAt }
  timeline { at type by message note } } }`;
const UPDATE = `mutation UpdateProblem($id: String!, $note: String, $state: ProblemState, $workaround: String) { updateProblem(id: $id, note: $note, state: $state, workaround: $workaround) { id state workaround } }`;

interface ProblemData {
  id: string;
  state: string;
  title: string;
  key: string;
  kind: string;
  rootRef: string | null;
  root: { ref: string; title: string | null } | null;
  openedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  workaround: string | null;
  incidents: Array<{ id: string; state: string; severity: string; title: string; openedAt: string; resolvedAt: string | null }>;
  timeline: Array<{ at: string; type: string; by: string; message: string; note: string | null }>;
}

export function ProblemPage({ id }: { id: string }): JSX.Element {
  const read = useLiveQuery<{ problem: ProblemData | null }>(PROBLEM, { id }, { query: INCIDENT_CHANGED }, `problem ${id}`);
  const problem = read.data?.problem;
  if (read.loading && !read.data) return <Loading what={`problem ${id}`} />;
  if (!problem)
    return (
      <>
        <PageTitle text={`Problem ${id}`} />
        {read.error ? <ErrorBox error={read.error} /> : <p>No problem {id}. <Link href="/problems">All problems</Link></p>}
      </>
    );
  return (
    <>
      <PageTitle text={`Problem ${problem.id}`}>
        Problem {problem.id} <span class="ref">{problem.title}</span>
      </PageTitle>
      <LiveNote live={read.live} />
      {read.error ? <ErrorBox error={read.error} title="Reading the problem again failed" /> : null}
      <div class="columns">
        <section aria-labelledby="summary">
          <h2 id="summary">Summary</h2>
          <dl class="facts">
            <dt>State</dt>
            <dd data-testid="state">
              <ProblemState state={problem.state} />
            </dd>
            <dt>Root</dt>
            <dd>{problem.rootRef ? <Link href={entityHref(problem.rootRef)}>{problem.root?.title ?? problem.rootRef}</Link> : '—'}</dd>
            <dt>Kind</dt>
            <dd>{problem.kind}</dd>
            <dt>Workaround</dt>
            <dd data-testid="workaround">{problem.workaround ?? '— (not known yet)'}</dd>
            <dt>Opened</dt>
            <dd>{when(problem.openedAt)}</dd>
            <dt>Resolved</dt>
            <dd>{when(problem.resolvedAt)}</dd>
          </dl>
        </section>
        <ProblemActions problem={problem} onDone={read.refresh} />
      </div>
      <section aria-labelledby="incidents">
        <h2 id="incidents">Incidents</h2>
        <div class="table-wrap">
          <table data-testid="problem-incidents">
            <caption>{`The incidents that recurred (${problem.incidents.length})`}</caption>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Severity</th>
                <th scope="col">State</th>
                <th scope="col">Opened</th>
                <th scope="col">Resolved</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <ol class="timeline" data-testid="timeline">
          {problem.timeline.map((t, i) => (
            <li key={i} data-type={t.type}>
              <time dateTime={t.at}>{when(t.at)}</time> <strong>{t.type}</strong> {t.message}
              {t.note ? (
                <>
                  : <q>{t.note}</q>
                </>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
    </>
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
