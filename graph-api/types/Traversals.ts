import type { ApiBuilder } from '../builder.ts';
import { addCatalogFields } from '../catalogFields.ts';
import { TRAVERSAL_COST } from '../limits.ts';
import { resolveRefArg } from '../refArgs.ts';
import { loadExisting } from '../resolvers.ts';
import type { ApiEnums } from './enums.ts';

/** The catalog fields `path` and `dependencyCycles`: traversals of the whole graph. */
export function addTraversalFields(builder: ApiBuilder, enums: ApiEnums): void {
  addCatalogFields(builder, (t, viewOf) => ({
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
      resolve: async (parent, args, ctx) => {
        const view = viewOf(parent, ctx);
        const [from, to] = await Promise.all([resolveRefArg(view, args.from, 'from'), resolveRefArg(view, args.to, 'to')]);
        if (from === undefined || to === undefined) return null;
        const options = { relations: args.relations ?? undefined, direction: args.directed ? ('out' as const) : ('both' as const) };
        const refs = await view.store.shortestPath(from, to, options);
        return refs === null ? null : loadExisting(view, refs);
      },
    }),
    dependencyCycles: t.field({
      type: t.listRef(t.listRef('String')),
      description: 'Cycles of the dependsOn relation: each a sorted list of refs, the list sorted by first member.',
      extensions: { cost: TRAVERSAL_COST },
      resolve: (parent, _args, ctx) => viewOf(parent, ctx).store.dependencyCycles(),
    }),
  }));
}
