/**
 * `/changes/{id}`: one change record (`change(id)`): its decision, approvals,
 * lead time, commits, changed and impacted entities (links) and the
 * incidents it caused (`causedIncidents`, asked for on its own so a server
 * without incidents still shows the change).
 */
import type { JSX } from 'preact';
import { ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { useQuery } from '../graphql.ts';
import { entityHref, Link } from '../router.tsx';

interface ChangeData {
  id: string;
  source: string;
  repository: string;
  number: number | null;
  title: string;
  author: string | null;
  url: string | null;
  risk: string | null;
  changeType: string | null;
  decision: string | null;
  approvedBy: string[];
  approvedAt: string | null;
  openedAt: string | null;
  mergedAt: string;
  leadTimeSeconds: number | null;
  base: string;
  head: string;
  mergeCommit: string;
  commits: string[];
  changed: string[];
  impacted: string[];
}
interface Caused {
  id: string;
  title: string;
  state: string;
  severity: string;
  openedAt: string;
  reason: string;
}

const CHANGE = `query($id: String!) { change(id: $id) { id source repository number title author url risk changeType decision approvedBy approvedAt openedAt mergedAt leadTimeSeconds base head mergeCommit commits changed impacted } }`;
const CAUSED = `query($id: String!) { change(id: $id) { causedIncidents { id title state severity openedAt reason } } }`;

/** A duration in seconds as people read it. */
export function duration(seconds: number): string {
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

function Refs({ refs }: { refs: string[] }): JSX.Element {
  if (refs.length === 0) return <p>None.</p>;
  return (
    <ul class="hits">
      {refs.map((r) => (
        <li key={r}>
          <Link href={entityHref(r)}>{r}</Link>
        </li>
      ))}
    </ul>
  );
}

export function ChangePage({ id }: { id: string }): JSX.Element {
  const state = useQuery<{ change: ChangeData | null }>(CHANGE, { id }, id);
  const title = state.data?.change?.title;
  return (
    <>
      <PageTitle text={`Change ${id}`}>
        {title ?? `Change ${id}`}
        {title ? <span class="ref">Change {id}</span> : null}
      </PageTitle>
      {state.loading ? (
        <Loading what="the change" />
      ) : state.error ? (
        <ErrorBox error={state.error} />
      ) : !state.data.change ? (
        <p>
          No change has the id <code>{id}</code>. See the <Link href="/changes">change calendar</Link>.
        </p>
      ) : (
        <Details change={state.data.change} />
      )}
    </>
  );
}

function Details({ change: c }: { change: ChangeData }): JSX.Element {
  return (
    <>
      <dl class="facts">
        <dt>Source</dt>
        <dd>{c.source === 'PULL_REQUEST' ? 'pull request' : 'branch move'} in {c.repository}{c.url ? <> (<a href={c.url}>on GitHub</a>)</> : null}</dd>
        <dt>Decision</dt>
        <dd class="decision">{c.decision ?? 'not evaluated'}</dd>
        <dt>Risk</dt>
        <dd>{c.risk ? <span class={`risk risk-${c.risk}`}>{c.risk}</span> : 'not evaluated'}</dd>
        <dt>Change type</dt>
        <dd>{c.changeType ?? '—'}</dd>
        <dt>Author</dt>
        <dd>{c.author ?? '—'}</dd>
        <dt>Approvals</dt>
        <dd class="approvals">{c.approvedBy.length > 0 ? `${c.approvedBy.join(', ')}${c.approvedAt ? ` (last needed at ${c.approvedAt})` : ''}` : 'none'}</dd>
        <dt>Opened</dt>
        <dd>{c.openedAt ?? '—'}</dd>
        <dt>Merged</dt>
        <dd>
          <time dateTime={c.mergedAt}>{c.mergedAt}</time>
        </dd>
        <dt>Lead time</dt>
        <dd class="lead-time">{c.leadTimeSeconds === null ? 'unknown' : duration(c.leadTimeSeconds)}</dd>
        <dt>Commits</dt>
        <dd>
          {c.commits.length > 0 ? c.commits.map((sha) => <code key={sha} class="sha">{sha.slice(0, 12)} </code>) : <>{c.base.slice(0, 12)}..{c.head.slice(0, 12)}</>} (merge <code>{c.mergeCommit.slice(0, 12)}</code>)
        </dd>
      </dl>
      <div class="columns">
        <section aria-labelledby="changed">
          <h2 id="changed">Changed ({c.changed.length})</h2>
          <Refs refs={c.changed} />
        </section>
        <section aria-labelledby="impacted">
          <h2 id="impacted">Impacted ({c.impacted.length})</h2>
          <Refs refs={c.impacted} />
        </section>
      </div>
      <CausedIncidents id={c.id} />
    </>
  );
}

function CausedIncidents({ id }: { id: string }): JSX.Element {
  const state = useQuery<{ change: { causedIncidents: Caused[] | null } | null }>(CAUSED, { id }, id);
  return (
    <section aria-labelledby="caused">
      <h2 id="caused">Caused incidents</h2>
      {state.loading ? (
        <Loading what="the incidents" />
      ) : state.error ? (
        <ErrorBox error={state.error} title="The incidents could not be read" />
      ) : (state.data.change?.causedIncidents ?? []).length === 0 ? (
        <p>None: this change is the top probable cause of no incident.</p>
      ) : (
        <ul class="hits caused">
          {state.data.change!.causedIncidents!.map((i) => (
            <li key={i.id}>
              <Link href={`/incidents/${encodeURIComponent(i.id)}`}>{i.title}</Link> <span class="title">({i.severity}, {i.state}, opened {i.openedAt}): {i.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
