/** The entities `search` finds for a text, as links to their pages. */
import type { JSX } from 'preact';
import { useQuery } from '../graphql.ts';
import { entityHref, Link } from '../router.tsx';
import { Criticality, ErrorBox, Loading } from './common.tsx';

const SEARCH = `query Search($text: String!, $first: Int) { search(text: $text, first: $first) { ref kind title criticality } }`;

export interface Hit {
  ref: string;
  kind: string;
  title: string | null;
  criticality: string | null;
}

export function SearchResults({ text, first = 50, heading = 'Results' }: { text: string; first?: number; heading?: string }): JSX.Element {
  const state = useQuery<{ search: Hit[] }>(SEARCH, { text, first }, `${text}|${first}`);
  return (
    <section aria-labelledby="results" class="results" data-text={text} data-state={state.loading ? 'loading' : 'done'}>
      <h2 id="results">{heading}</h2>
      {state.loading ? (
        <Loading what="results" />
      ) : state.error ? (
        <ErrorBox error={state.error} title="Search failed" />
      ) : state.data.search.length === 0 ? (
        <p role="status">Nothing matches “{text}”.</p>
      ) : (
        <>
          <p role="status">
            {state.data.search.length === first ? `First ${first}` : state.data.search.length} {state.data.search.length === 1 ? 'match' : 'matches'} for “{text}”
          </p>
          <ul class="hits">
            {state.data.search.map((h) => (
              <li key={h.ref}>
                <Link href={entityHref(h.ref)}>{h.ref}</Link>
                {h.title ? <span class="title"> {h.title}</span> : null} <Criticality value={h.criticality} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
