/** `/`: the catalog search (server-side `search`) and what the served catalog looks like at a glance. */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ChangeWindowCard, OpenChangesCard } from '../components/CalendarCards.tsx';
import { ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { IncidentHomeCard } from '../components/IncidentHomeCard.tsx';
import { SearchResults } from '../components/SearchResults.tsx';
import { useQuery } from '../graphql.ts';
import { Link, navigate, useLocation, withQuery } from '../router.tsx';
import { KpiSummary } from './KpisSummary.tsx';

const GLANCE = `{ commit entities(first: 1) { totalCount } catalogViolations(severity: ERROR) { rule } }`;

export function Home(): JSX.Element {
  const loc = useLocation();
  const q = loc.query.get('q') ?? '';
  const [text, setText] = useState(q);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setText(q), [q]);
  // Typing searches after a pause, replacing the history entry; Enter commits it.
  useEffect(() => {
    if (text.trim() === q) return;
    const t = setTimeout(() => navigate(withQuery(loc, { q: text.trim() }), { replace: true }), 250);
    return () => clearTimeout(t);
  }, [text]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !(e.target instanceof HTMLInputElement)) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <PageTitle text="Search the catalog" />
      <form
        role="search"
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(withQuery(loc, { q: text.trim() }));
        }}
      >
        <label for="q">Ref, name or title</label>
        <input id="q" ref={input} type="search" value={text} placeholder="cart, component:shop/cart…" autoComplete="off" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <button type="submit">Search</button>
        <p class="hint">Press / to search from anywhere on this page.</p>
      </form>
      {q ? <SearchResults text={q} /> : null}
      <Glance />
    </>
  );
}

function Glance(): JSX.Element {
  const state = useQuery<{ commit: string | null; entities: { totalCount: number }; catalogViolations: unknown[] }>(GLANCE, {}, 'glance');
  return (
    <section aria-labelledby="glance" class="glance">
      <h2 id="glance">At a glance</h2>
      <div class="cards">
        <div class="card">
          <h3>Catalog</h3>
          {state.loading ? (
            <Loading what="the catalog" />
          ) : state.error ? (
            <ErrorBox error={state.error} />
          ) : (
            <dl>
              <dt>Served commit</dt>
              <dd>
                <code>{state.data.commit?.slice(0, 12) ?? 'not synced yet'}</code>
              </dd>
              <dt>Entities</dt>
              <dd>{state.data.entities.totalCount.toLocaleString('en')}</dd>
              <dt>Errors in the catalog</dt>
              <dd>{state.data.catalogViolations.length}</dd>
            </dl>
          )}
        </div>
        <div class="card">
          <h3>Open incidents</h3>
          <IncidentHomeCard />
        </div>
        <ChangeWindowCard />
        <OpenChangesCard />
        <div class="card">
          <h3>KPIs</h3>
          <KpiSummary />
        </div>
      </div>
      <p>
        Or find the <Link href="/path">shortest path</Link> between two entities.
      </p>
    </section>
  );
}
