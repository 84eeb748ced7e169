import SchemaBuilder from '@pothos/core';
import type { RefString } from '../catalog/types.ts';
import type { GraphNode, ImpactedEntity, Neighbour } from '../graph/GraphStore.ts';
import type { ApiContext } from './context.ts';
import type { EntityConnectionShape, EntityEdgeShape, PageInfoShape } from './paging.ts';

/** A label of an entity as a GraphQL object. */
export interface LabelShape {
  key: string;
  value: string;
}

/** Backing value of the `Impact` type: the store's ImpactResult plus the refs that matched nothing. */
export interface ImpactShape {
  roots: RefString[];
  entities: ImpactedEntity[];
  missing: RefString[];
}

/** Pothos types of the API: object type names and the values that back them. */
export interface ApiSchemaTypes {
  Context: ApiContext;
  /** Fields are non-null unless declared `nullable: true`. */
  DefaultFieldNullability: false;
  Objects: {
    Entity: GraphNode;
    Label: LabelShape;
    Neighbour: Neighbour;
    Impact: ImpactShape;
    ImpactedEntity: ImpactedEntity;
    EntityConnection: EntityConnectionShape;
    EntityEdge: EntityEdgeShape;
    PageInfo: PageInfoShape;
  };
}

export type ApiBuilder = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<ApiSchemaTypes>>;

/** A fresh builder; every call of createSchema uses its own, so there is no module state. */
export const createBuilder = (): ApiBuilder => new SchemaBuilder<ApiSchemaTypes>({ defaultFieldNullability: false });
