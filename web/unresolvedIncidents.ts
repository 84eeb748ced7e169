import { request } from './graphql.ts';

/** Unresolved incidents are read page by page (200 each, the API's most) up to this many. */
export const MAX_UNRESOLVED = 2000;

type UnresolvedPage<N> = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: N[] };

/**
 * Every unresolved incident (newest first; of one severity when given) with
 * `fields`, read page by page up to MAX_UNRESOLVED (a major outage can open
 * hundreds); an incident met twice, when the list moved between two pages, is
 * kept once. `totalCount` counts them all, also those past the limit.
 */
export async function unresolvedIncidents<N extends { id: string }>(fields: string, severity?: string): Promise<{ totalCount: number; nodes: N[] }> {
  const query = `query UnresolvedIncidents($after: String, $severity: Criticality) { incidents(state: UNRESOLVED, severity: $severity, first: 200, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id ${fields} } } }`;
  let page = (await request<{ incidents: UnresolvedPage<N> }>(query, { severity })).incidents;
  const nodes = [...page.nodes];
  const seen = new Set(nodes.map((n) => n.id));
  while (page.pageInfo.hasNextPage && page.pageInfo.endCursor && nodes.length < MAX_UNRESOLVED) {
    page = (await request<{ incidents: UnresolvedPage<N> }>(query, { severity, after: page.pageInfo.endCursor })).incidents;
    for (const n of page.nodes) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      nodes.push(n);
    }
  }
  return { totalCount: page.totalCount, nodes };
}
