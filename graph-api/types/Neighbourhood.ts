import { normalizeRef } from '../../catalog/refs.ts';
import type { ApiBuilder } from '../builder.ts';
import { addCatalogFields } from '../catalogFields.ts';
import { badInput } from '../errors.ts';
import { TRAVERSAL_COST } from '../limits.ts';
import { neighbourhood } from '../neighbourhood.ts';
import { resolveRefArg } from '../refArgs.ts';
import { REF_HELP } from './Entity.ts';
import type { ApiEnums } from './enums.ts';

export const DEFAULT_NEIGHBOURHOOD_DEPTH = 1;
export const MAX_NEIGHBOURHOOD_DEPTH = 5;
export const DEFAULT_NEIGHBOURHOOD_LIMIT = 100;
export const MAX_NEIGHBOURHOOD_LIMIT = 1000;

/** `Neighbourhood { nodes edges truncated }`, `NeighbourhoodEdge` and the catalog field `neighbourhood` (for drawing). */
export function addNeighbourhoodTypes(builder: ApiBuilder, enums: ApiEnums): void {
  builder.objectType('NeighbourhoodEdge', {
    description: 'A relation between two nodes of the neighbourhood, named from its source.',
    fields: (t) => ({
      source: t.exposeString('source'),
      target: t.exposeString('target'),
      relation: t.field({ type: enums.Relation, resolve: (e) => e.relation }),
    }),
  });
  builder.objectType('Neighbourhood', {
    description: 'The entities around one, and the relations between them.',
    fields: (t) => ({
      center: t.field({ type: 'Entity', resolve: (n) => n.center }),
      nodes: t.field({ type: ['Entity'], description: 'The center first, then by distance, then ref.', resolve: (n) => n.nodes }),
      distance: t.int({
        nullable: true,
        description: 'Relations between the center and the entity `ref`; null when it is not in the neighbourhood.',
        args: { ref: t.arg.string({ required: true }) },
        resolve: (n, { ref }) => n.distances.get(normalizeRef(ref) ?? ref) ?? null,
      }),
      edges: t.field({ type: ['NeighbourhoodEdge'], description: 'Every relation between two nodes, sorted by source, relation, target.', resolve: (n) => n.edges }),
      truncated: t.boolean({ description: 'True when entities within `depth` were left out to keep to `limit`.', resolve: (n) => n.truncated }),
    }),
  });
  addCatalogFields(builder, (t, viewOf) => ({
    neighbourhood: t.field({
      type: 'Neighbourhood',
      nullable: true,
      description: `The entities within \`depth\` relations (either direction) of \`ref\` (${REF_HELP}), at most \`limit\`; null when unknown.`,
      args: {
        ref: t.arg.string({ required: true }),
        depth: t.arg.int({ defaultValue: DEFAULT_NEIGHBOURHOOD_DEPTH, description: `0 to ${MAX_NEIGHBOURHOOD_DEPTH}.` }),
        relations: t.arg({ type: [enums.Relation], description: 'Relations to follow (default: all).' }),
        limit: t.arg.int({ defaultValue: DEFAULT_NEIGHBOURHOOD_LIMIT, description: `Most entities, the center included (1 to ${MAX_NEIGHBOURHOOD_LIMIT}).` }),
      },
      extensions: { cost: TRAVERSAL_COST },
      resolve: async (parent, args, ctx) => {
        const depth = args.depth ?? DEFAULT_NEIGHBOURHOOD_DEPTH;
        const limit = args.limit ?? DEFAULT_NEIGHBOURHOOD_LIMIT;
        if (depth < 0 || depth > MAX_NEIGHBOURHOOD_DEPTH) throw badInput(`"depth" must be between 0 and ${MAX_NEIGHBOURHOOD_DEPTH}, got ${depth}.`);
        if (limit < 1 || limit > MAX_NEIGHBOURHOOD_LIMIT) throw badInput(`"limit" must be between 1 and ${MAX_NEIGHBOURHOOD_LIMIT}, got ${limit}.`);
        const view = viewOf(parent, ctx);
        const ref = await resolveRefArg(view, args.ref, 'ref');
        return ref === undefined ? null : neighbourhood(view, ref, { depth, limit, relations: args.relations ?? undefined });
      },
    }),
  }));
}
