/**
 * A tiny router over the history API: every page is a deep link, back and
 * forward work, links are real <a href> (open in a new tab works) and a click
 * on one is handled without a reload.
 */
import type { ComponentChildren, JSX } from 'preact';
import { Store, useStore } from './store.ts';

export interface Location {
  path: string;
  query: URLSearchParams;
}

const read = (): Location => ({ path: window.location.pathname, query: new URLSearchParams(window.location.search) });
export const location = new Store<Location>(read());
/** Navigations since the page loaded (0: the first page, where focus stays where the browser puts it). */
export let navigations = 0;
window.addEventListener('popstate', () => {
  navigations++;
  location.set(read());
});

/** Goes to `href` (path and query); `replace` rewrites the current history entry (filters typed in place). */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const target = new URL(href, window.location.href);
  if (target.origin !== window.location.origin) {
    window.location.assign(target.href);
    return;
  }
  const next = target.pathname + target.search;
  if (next === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', next);
  else window.history.pushState(null, '', next);
  if (!options.replace) navigations++;
  location.set(read());
  if (!options.replace) window.scrollTo(0, 0);
}

/** The current location; re-renders on navigation. */
export const useLocation = (): Location => useStore(location);

/** A URL with the current query's parameters changed (`undefined` or '' removes one). */
export function withQuery(loc: Location, changes: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams(loc.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  return loc.path + (s ? `?${s}` : '');
}

/** The path of an entity's page. */
export const entityHref = (ref: string, at?: string): string => `/entities/${encodeURI(ref)}${at ? `?at=${encodeURIComponent(at)}` : ''}`;

export function Link(props: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' }): JSX.Element {
  const { href, children, ...rest } = props;
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

/** A route: a path pattern (`/entities/*`, `/changes/:id`) and what renders it. */
export interface RouteDef {
  pattern: string;
  render: (params: Record<string, string>, loc: Location) => ComponentChildren;
}

/** The first route matching `path`, with its parameters (`*` is the rest, decoded). */
export function match(routes: readonly RouteDef[], path: string): { route: RouteDef; params: Record<string, string> } | undefined {
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (params) return { route, params };
  }
  return undefined;
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '*') {
      const rest = s.slice(i).join('/');
      if (!rest) return undefined;
      params['*'] = safeDecode(rest);
      return params;
    }
    if (s[i] === undefined) return undefined;
    if (p[i].startsWith(':')) {
      if (!s[i]) return undefined;
      params[p[i].slice(1)] = safeDecode(s[i]);
    } else if (p[i] !== s[i]) return undefined;
  }
  return p.length === s.length ? params : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
