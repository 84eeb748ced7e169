/** A path the UI does not know, or a ref no entity has (with close matches from `search`). */
import type { ComponentChildren, JSX } from 'preact';
import { PageTitle } from '../components/common.tsx';
import { SearchResults } from '../components/SearchResults.tsx';
import { Link } from '../router.tsx';

export function NotFound({ path }: { path: string }): JSX.Element {
  return (
    <>
      <PageTitle text="Page not found" />
      <p>
        Nothing at <code>{path}</code>. <Link href="/">Search the catalog</Link>.
      </p>
    </>
  );
}

/** The name part of a ref (`kind:ns/name` → `name`), what `search` finds close matches by. */
export const nameOf = (ref: string): string => ref.slice(ref.indexOf(':') + 1).split('/').pop() ?? ref;

export function EntityNotFound({ ref, at, children }: { ref: string; at?: string; children?: ComponentChildren }): JSX.Element {
  const name = nameOf(ref);
  return (
    <>
      <PageTitle text="Entity not found" />
      <p>
        No entity <code>{ref}</code> in the catalog{at ? ` as of ${at}` : ''}.
      </p>
      {children}
      {name ? <SearchResults text={name} first={10} heading="Close matches" /> : null}
    </>
  );
}
