import type { ApiBuilder } from '../builder.ts';
import { addCatalogFields } from '../catalogFields.ts';
import { TRAVERSAL_COST } from '../limits.ts';
import { computeImpact } from '../resolvers.ts';
import { REF_HELP } from './Entity.ts';

/** `Impact { roots missing count entities(kind) }`, `ImpactedEntity` and the catalog field `impact`. */
export function addImpactTypes(builder: ApiBuilder): void {
  builder.objectType('Impact', {
    description: 'Everything reached from the roots along the directions in which an outage or a change propagates.',
    fields: (t) => ({
      roots: t.exposeStringList('roots', { description: 'Normalized roots that are entities of the graph, sorted.' }),
      missing: t.exposeStringList('missing', { description: 'Normalized requested refs that are not entities of the graph, sorted.' }),
      count: t.int({ description: 'Number of impacted entities (roots excluded).', resolve: (i) => i.entities.length }),
      entities: t.field({
        type: ['ImpactedEntity'],
        description: 'Impacted entities sorted by distance, then ref; roots are never listed.',
        args: { kind: t.arg.string({ description: 'Only entities of this kind (case-insensitive).' }) },
        resolve: (i, { kind }) => (kind ? i.entities.filter((e) => e.kind === kind.toLowerCase()) : i.entities),
      }),
    }),
  });
  builder.objectType('ImpactedEntity', {
    fields: (t) => ({
      ref: t.exposeString('ref'),
      kind: t.exposeString('kind'),
      distance: t.exposeInt('distance', { description: 'Hops from the nearest root (1 or more).' }),
      via: t.exposeStringList('via', {
        description: 'One shortest path from a root, the entity excluded: via[0] is the root, length = distance.',
      }),
      entity: t.field({
        type: 'Entity',
        nullable: true,
        description: 'The impacted entity; null only if the graph was reloaded during the query.',
        resolve: (e, _args, ctx) => ctx.viewOf(e).loadEntity(e.ref),
      }),
    }),
  });
  addCatalogFields(builder, (t, viewOf) => ({
    impact: t.field({
      type: 'Impact',
      description: `What an outage or a change of the entities \`refs\` (${REF_HELP}) impacts, up to \`depth\` hops.`,
      args: {
        refs: t.arg.stringList({ required: true }),
        depth: t.arg.int({ description: 'Maximum distance (default: unlimited).' }),
      },
      extensions: { cost: TRAVERSAL_COST },
      resolve: (parent, { refs, depth }, ctx) => computeImpact(viewOf(parent, ctx), refs, depth),
    }),
  }));
}
