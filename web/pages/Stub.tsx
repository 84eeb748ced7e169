/** Where the API a page needs does not exist yet: says which one, instead of a blank page. */
import type { JSX } from 'preact';
import { PageTitle } from '../components/common.tsx';

export function Stub({ api, inline, title }: { api: string; inline?: boolean; title?: string }): JSX.Element {
  const text = <p class="stub">Coming with the {api} API.</p>;
  if (inline) return text;
  return (
    <>
      <PageTitle text={title ?? api} />
      {text}
    </>
  );
}
