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

const PREFIX = 'offset:';

/** Opaque cursor of the entity at `offset` in the sorted listing (base64url of `offset:N`). */
export const encodeCursor = (offset: number): string => Buffer.from(`${PREFIX}${offset}`, 'utf8').toString('base64url');

/** The offset a cursor stands for; BAD_USER_INPUT when it is not one this API issued. */
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const digits = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  const offset = /^(0|[1-9][0-9]{0,14})$/.test(digits) ? Number(digits) : NaN;
  if (!Number.isSafeInteger(offset)) {
    throw badInput(`Invalid cursor "${cursor}": pass a cursor returned by edges.cursor or pageInfo.endCursor.`);
  }
  return offset;
}

/** Offset and limit of the page after `after` (exclusive) with `first` items; validates both. */
export function pageWindow(first: number | null | undefined, after: string | null | undefined): { offset: number; limit: number } {
  const limit = first ?? DEFAULT_PAGE_SIZE;
  if (limit < 0) throw badInput(`"first" must be 0 or more, got ${limit}.`);
  if (limit > MAX_PAGE_SIZE) throw badInput(`"first" must be at most ${MAX_PAGE_SIZE}, got ${limit}; page with "after" instead.`);
  const offset = after === null || after === undefined ? 0 : decodeCursor(after) + 1;
  return { offset, limit };
}

/** A Relay connection over one page of a sorted listing that starts at `offset`. */
export function toConnection(nodes: readonly GraphNode[], total: number, offset: number): EntityConnectionShape {
  const edges = nodes.map((node, i) => ({ cursor: encodeCursor(offset + i), node }));
  return {
    edges,
    totalCount: total,
    pageInfo: {
      hasNextPage: offset + nodes.length < total,
      hasPreviousPage: offset > 0 && total > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
