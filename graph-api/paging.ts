import type { GraphNode } from '../graph/GraphStore.ts';
import { badInput } from './errors.ts';

/** Largest `first` a connection accepts. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface EntityEdgeShape {
  cursor: string;
  node: GraphNode;
}

export interface EntityConnectionShape {
  edges: EntityEdgeShape[];
  pageInfo: PageInfoShape;
  totalCount: number;
}

const PREFIX = 'ref:';

/**
 * Opaque cursor of an entity in the sorted listing: base64url of `ref:<ref>`.
 * Cursors name the entity, not its position, so paging neither skips nor
 * repeats entities when the graph follows a new commit between two pages.
 */
export const encodeCursor = (ref: string): string => Buffer.from(`${PREFIX}${ref}`, 'utf8').toString('base64url');

/** The ref a cursor stands for; BAD_USER_INPUT when it is not one this API issued. */
export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const ref = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  if (ref === '' || encodeCursor(ref) !== cursor) {
    throw badInput(`Invalid cursor "${cursor}": pass a cursor returned by edges.cursor or pageInfo.endCursor.`);
  }
  return ref;
}

/** The page after `after` (exclusive; a ref) with `first` items; validates both. */
export function pageWindow(first: number | null | undefined, after: string | null | undefined): { after?: string; limit: number } {
  const limit = first ?? DEFAULT_PAGE_SIZE;
  if (limit < 0) throw badInput(`"first" must be 0 or more, got ${limit}.`);
  if (limit > MAX_PAGE_SIZE) throw badInput(`"first" must be at most ${MAX_PAGE_SIZE}, got ${limit}; page with "after" instead.`);
  return after === null || after === undefined ? { limit } : { after: decodeCursor(after), limit };
}

/**
 * A Relay connection over one page of a sorted listing: `nodes` are the page
 * plus, when there is one, the next entity (asked for to know `hasNextPage`).
 */
export function toConnection(nodes: readonly GraphNode[], total: number, window: { after?: string; limit: number }): EntityConnectionShape {
  const edges = nodes.slice(0, window.limit).map((node) => ({ cursor: encodeCursor(node.ref), node }));
  return {
    edges,
    totalCount: total,
    pageInfo: {
      hasNextPage: nodes.length > window.limit,
      hasPreviousPage: window.after !== undefined && total > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
