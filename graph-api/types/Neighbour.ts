import type { ApiBuilder } from '../builder.ts';
import { inverseName, type ApiEnums } from './enums.ts';

/** `Neighbour { relation direction name ref entity }`: one relation of an entity. */
export function addNeighbourType(builder: ApiBuilder, enums: ApiEnums): void {
  builder.objectType('Neighbour', {
    description: 'A direct relation of an entity to another.',
    fields: (t) => ({
      relation: t.field({ type: enums.Relation, resolve: (n) => n.relation }),
      direction: t.field({
        type: enums.Direction,
        description: 'OUT: the entity is the relation\'s source (it dependsOn the neighbour); IN: its target.',
        resolve: (n) => n.direction,
      }),
      name: t.string({
        description: 'The relation as read from the entity: `dependsOn` when OUT, its inverse `dependencyOf` when IN.',
        resolve: (n) => (n.direction === 'out' ? n.relation : inverseName(n.relation)),
      }),
      ref: t.exposeString('ref', { description: 'Ref of the entity at the other end.' }),
      entity: t.field({
        type: 'Entity',
        nullable: true,
        description: 'The entity at the other end; null only if the graph was reloaded during the query.',
        resolve: (n, _args, ctx) => ctx.viewOf(n).loadEntity(n.ref),
      }),
    }),
  });
}
