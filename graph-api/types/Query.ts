import type { ApiBuilder } from '../builder.ts';
import { TRAVERSAL_COST } from '../limits.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageWindow, toConnection } from '../paging.ts';
import { resolveRefArg } from '../refArgs.ts';
import { computeImpact, loadExisting } from '../resolvers.ts';
import type { ApiEnums } from './enums.ts';

const REF_HELP = '`kind:[namespace/]name`, case-insensitive, namespace defaulting to `default`; or `name`, `namespace/name`, `kind:name` that only one entity matches';

/** The root `Query` type. */
export function addQueryType(builder: ApiBuilder, enums: ApiEnums): void {
  builder.queryType({
    fields: (t) => ({
      commit: t.string({
        nullable: true,
        description: 'Commit of the catalog the graph was last synced to; null before the first sync.',
        resolve: (_root, _args, ctx) => ctx.store.commit(),
      }),
      entity: t.field({
        type: 'Entity',
        nullable: true,
        description: `One entity by ref (${REF_HELP}); null when unknown, an error when malformed or ambiguous.`,
        args: { ref: t.arg.string({ required: true }) },
        resolve: async (_root, { ref }, ctx) => {
          const resolved = await resolveRefArg(ctx, ref, 'ref');
          return resolved === undefined ? null : ctx.loadEntity(resolved);
        },
      }),
      entities: t.field({
        type: 'EntityConnection',
        description: `Entities sorted by ref, paged forward: \`first\` (at most ${MAX_PAGE_SIZE}) after the cursor \`after\`.`,
        args: {
          kind: t.arg.string({ description: 'Only entities of this kind (case-insensitive).' }),
          first: t.arg.int({ defaultValue: DEFAULT_PAGE_SIZE }),
          after: t.arg.string(),
        },
        resolve: async (_root, { kind, first, after }, ctx) => {
          const window = pageWindow(first, after);
          const { nodes, total } = await ctx.store.listEntities({ kind: kind ?? undefined, after: window.after, limit: window.limit + 1 });
          return toConnection(nodes, total, window);
        },
      }),
      impact: t.field({
        type: 'Impact',
        description: `What an outage or a change of the entities \`refs\` (${REF_HELP}) impacts, up to \`depth\` hops.`,
        args: {
          refs: t.arg.stringList({ required: true }),
          depth: t.arg.int({ description: 'Maximum distance (default: unlimited).' }),
        },
        extensions: { cost: TRAVERSAL_COST },
        resolve: (_root, { refs, depth }, ctx) => computeImpact(ctx, refs, depth),
      }),
      path: t.field({
        type: ['Entity'],
        nullable: true,
        description: 'One shortest path, both ends included (the lexicographically smallest among equals); null when none.',
        args: {
          from: t.arg.string({ required: true }),
          to: t.arg.string({ required: true }),
          relations: t.arg({ type: [enums.Relation], description: 'Relations to follow (default: all).' }),
          directed: t.arg.boolean({ defaultValue: false, description: 'Follow relations from source to target only.' }),
        },
        extensions: { cost: TRAVERSAL_COST },
        resolve: async (_root, args, ctx) => {
          const [from, to] = await Promise.all([resolveRefArg(ctx, args.from, 'from'), resolveRefArg(ctx, args.to, 'to')]);
          if (from === undefined || to === undefined) return null;
          const options = { relations: args.relations ?? undefined, direction: args.directed ? ('out' as const) : ('both' as const) };
          const refs = await ctx.store.shortestPath(from, to, options);
          return refs === null ? null : loadExisting(ctx, refs);
        },
      }),
      dependencyCycles: t.field({
        type: t.listRef(t.listRef('String')),
        description: 'Cycles of the dependsOn relation: each a sorted list of refs, the list sorted by first member.',
        extensions: { cost: TRAVERSAL_COST },
        resolve: (_root, _args, ctx) => ctx.store.dependencyCycles(),
      }),
    }),
  });
}
