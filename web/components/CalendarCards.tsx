/** The home page's change cards: the active or next change window, and the open pull requests. */
import type { JSX } from 'preact';
import { useQuery } from '../graphql.ts';
import { Link } from '../router.tsx';
import { ErrorBox, Loading } from './common.tsx';

/** How far ahead the home page looks for the next window. */
const AHEAD_DAYS = 90;
const WINDOWS = `query($from: String!, $to: String!) { changeWindows(from: $from, to: $to) { ref name kind start end } }`;

interface Win {
  ref: string;
  name: string;
  kind: 'FREEZE' | 'MAINTENANCE';
  start: string;
  end: string;
}

export function ChangeWindowCard(): JSX.Element {
  const now = new Date();
  const from = now.toISOString();
  const to = new Date(now.getTime() + AHEAD_DAYS * 86_400_000).toISOString();
  const state = useQuery<{ changeWindows: Win[] }>(WINDOWS, { from, to }, 'windows-glance');
  let body: JSX.Element;
  if (state.loading) body = <Loading what="the change windows" />;
  else if (state.error) body = <ErrorBox error={state.error} />;
  else {
    const active = state.data.changeWindows.filter((w) => Date.parse(w.start) <= now.getTime());
    const next = state.data.changeWindows.find((w) => Date.parse(w.start) > now.getTime());
    const shown = active.length > 0 ? active : next ? [next] : [];
    body =
      shown.length === 0 ? (
        <p>No window in the next {AHEAD_DAYS} days.</p>
      ) : (
        <ul class="hits">
          {shown.map((w) => (
            <li key={w.ref} class="glance-window">
              <span class={`band-inline band-${w.kind.toLowerCase()}`}>{w.kind === 'FREEZE' ? 'Freeze' : 'Maintenance'}</span> <strong>{w.name}</strong>{' '}
              {active.length > 0 ? <>active until {w.end}</> : <>from {w.start}</>}
            </li>
          ))}
        </ul>
      );
  }
  return (
    <div class="card">
      <h3>{state.data && state.data.changeWindows.some((w) => Date.parse(w.start) <= now.getTime()) ? 'Active change window' : 'Next change window'}</h3>
      {body}
      <p>
        <Link href="/changes">Change calendar</Link>
      </p>
    </div>
  );
}

const OPEN = `{ openChanges { id title risk conflicts { id } } }`;

export function OpenChangesCard(): JSX.Element {
  const state = useQuery<{ openChanges: Array<{ id: string; title: string; risk: string | null; conflicts: Array<{ id: string }> }> }>(OPEN, {}, 'open-glance');
  return (
    <div class="card">
      <h3>Open changes</h3>
      {state.loading ? (
        <Loading what="the open changes" />
      ) : state.error ? (
        <ErrorBox error={state.error} />
      ) : (
        <dl>
          <dt>Open pull requests evaluated</dt>
          <dd>{state.data.openChanges.length}</dd>
          <dt>High risk</dt>
          <dd>{state.data.openChanges.filter((o) => o.risk === 'high').length}</dd>
          <dt>In conflict</dt>
          <dd>{state.data.openChanges.filter((o) => o.conflicts.length > 0).length}</dd>
        </dl>
      )}
    </div>
  );
}
