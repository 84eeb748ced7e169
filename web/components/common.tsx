/** Small pieces every page uses: loading, errors, criticality badges. */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../graphql.ts';
import { navigations } from '../router.tsx';

export function Loading({ what }: { what: string }): JSX.Element {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** An error as the page shows it: the GraphQL messages and their codes, never a blank page. */
export function ErrorBox({ error, title = 'The request failed' }: { error: Error; title?: string }): JSX.Element {
  const entries = error instanceof ApiError ? error.errors : [{ message: error.message, extensions: undefined }];
  return (
    <div class="error" role="alert">
      <h2>{title}</h2>
      <ul>
        {entries.map((e, i) => (
          <li key={i}>
            {e.message}
            {e.extensions?.code ? <code class="code">{e.extensions.code}</code> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

export const CRITICALITY_COLOURS: Record<string, string> = { CRITICAL: '#b3261e', HIGH: '#c2410c', MEDIUM: '#a16207', LOW: '#15803d', NONE: '#57606a' };

export function Criticality({ value }: { value: string | null | undefined }): JSX.Element {
  const v = value ?? 'NONE';
  return <span class={`crit crit-${v.toLowerCase()}`}>{value ? value.toLowerCase() : 'none'}</span>;
}

/** The page's title (document.title too); focused after a navigation (not on the first page) so screen readers announce the new page. */
export function PageTitle({ children, text }: { children?: ComponentChildren; text: string }): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${text} · cmdb`;
    if (navigations > 0 && (document.activeElement === document.body || document.activeElement?.closest('nav'))) ref.current?.focus({ preventScroll: true });
  }, [text]);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children ?? text}
    </h1>
  );
}

/** A table with a caption and a header row of `columns`; `children` are its body rows. */
export function DataTable({ caption, columns, testid, class: className, children }: { caption: string; columns: readonly string[]; testid?: string; class?: string; children: ComponentChildren }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class={className} data-testid={testid}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
