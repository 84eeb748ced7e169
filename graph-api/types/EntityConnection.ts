import type { ApiBuilder } from '../builder.ts';

/** Relay connection types: `EntityConnection { edges pageInfo totalCount }`, `EntityEdge`, `PageInfo`. */
export function addConnectionTypes(builder: ApiBuilder): void {
  builder.objectType('EntityConnection', {
    description: 'One page of entities sorted by ref.',
    fields: (t) => ({
      edges: t.field({ type: ['EntityEdge'], resolve: (c) => c.edges }),
      nodes: t.field({ type: ['Entity'], description: 'The edges\' nodes, for clients that need no cursors.', resolve: (c) => c.edges.map((e) => e.node) }),
      pageInfo: t.field({ type: 'PageInfo', resolve: (c) => c.pageInfo }),
      totalCount: t.exposeInt('totalCount', { description: 'Entities matching the filter, over all pages.' }),
    }),
  });
  builder.objectType('EntityEdge', {
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque; pass as `after` to get the entities after this one.' }),
      node: t.field({ type: 'Entity', resolve: (e) => e.node }),
    }),
  });
  builder.objectType('PageInfo', {
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage'),
      hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
      startCursor: t.exposeString('startCursor', { nullable: true }),
      endCursor: t.exposeString('endCursor', { nullable: true }),
    }),
  });
}
