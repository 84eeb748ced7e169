/**
 * What a responder (or an admin) can do on an incident: acknowledge, resolve,
 * add a note, dismiss a probable cause. Shown only to callers `me` allows
 * (the server checks again: a refusal is shown like any error).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { allowed, me } from '../auth.ts';
import { request } from '../graphql.ts';
import { useStore } from '../store.ts';
import { ErrorBox } from './common.tsx';

const ACK = `mutation Ack($id: String!, $note: String) { acknowledgeIncident(id: $id, note: $note) { id state } }`;
const RESOLVE = `mutation Resolve($id: String!, $note: String) { resolveIncident(id: $id, note: $note) { id state } }`;
const NOTE = `mutation Note($id: String!, $note: String!) { addIncidentNote(id: $id, note: $note) { id state } }`;
const DISMISS = `mutation Dismiss($incident: String!, $change: String!, $note: String) { dismissProbableCause(incident: $incident, change: $change, note: $note) { id } }`;

/** Runs one mutation at a time; remembers its error. */
function useMutation(onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const run = async (query: string, variables: Record<string, unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await request(query, variables);
      onDone();
      return true;
    } catch (e) {
      setError(e as Error);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function IncidentActions({ incident, onDone }: { incident: { id: string; state: string }; onDone(): void }): JSX.Element | null {
  const caller = useStore(me);
  const [note, setNote] = useState('');
  const { busy, error, run } = useMutation(onDone);
  if (!allowed(caller, 'RESPONDER')) {
    return (
      <section aria-labelledby="actions">
        <h2 id="actions">Actions</h2>
        <p data-testid="no-actions">Acknowledging and resolving need the responder role{caller ? ` (you are ${caller.name}, ${caller.role.toLowerCase()})` : ''}.</p>
      </section>
    );
  }
  // A note is optional for acknowledge and resolve; for "Add note" an empty one is sent and the server says why it refuses it.
  const act = (query: string) => async () => {
    if (await run(query, { id: incident.id, note: note.trim() || (query === NOTE ? '' : null) })) setNote('');
  };
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">Actions</h2>
      <form class="incident-actions" onSubmit={(e) => e.preventDefault()}>
        <label for="note">Note</label>
        <textarea id="note" rows={3} value={note} maxLength={10000} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        <p>
          {incident.state === 'OPEN' ? (
            <button type="button" disabled={busy} onClick={act(ACK)}>
              Acknowledge
            </button>
          ) : null}{' '}
          {incident.state !== 'RESOLVED' ? (
            <button type="button" disabled={busy} onClick={act(RESOLVE)}>
              Resolve
            </button>
          ) : null}{' '}
          <button type="button" disabled={busy} onClick={act(NOTE)}>
            Add note
          </button>
        </p>
      </form>
      {error ? <ErrorBox error={error} title="The action was refused" /> : null}
    </section>
  );
}

export function DismissCause({ incident, change, onDone }: { incident: string; change: string; onDone(): void }): JSX.Element | null {
  const caller = useStore(me);
  const { busy, error, run } = useMutation(onDone);
  if (!allowed(caller, 'RESPONDER')) return null;
  return (
    <>
      {' '}
      <button type="button" disabled={busy} aria-label={`Dismiss ${change} as a probable cause`} onClick={() => run(DISMISS, { incident, change, note: null })}>
        Dismiss
      </button>
      {error ? <ErrorBox error={error} title="Dismissing failed" /> : null}
    </>
  );
}
