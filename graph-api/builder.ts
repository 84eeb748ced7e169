import SchemaBuilder from '@pothos/core';
import type { RefString } from '../catalog/types.ts';
import type { GraphNode, ImpactedEntity, Neighbour } from '../graph/GraphStore.ts';
import type { ApiContext, CatalogView } from './context.ts';
import type { CommitInfo } from './history/commitLog.ts';
import type { CatalogDiffShape, ChangeEvaluationShape, NeighbourhoodEdgeShape, NeighbourhoodShape } from './shapes.ts';
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

/** Backing value of `Catalog`: a commit and the view its fields resolve against. */
export interface CatalogShape {
  commit: CommitInfo;
  view: CatalogView;
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
    Catalog: CatalogShape;
    Commit: CommitInfo;
    Neighbourhood: NeighbourhoodShape;
    NeighbourhoodEdge: NeighbourhoodEdgeShape;
    CatalogDiff: CatalogDiffShape;
    ChangeEvaluation: ChangeEvaluationShape;
  };
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
  };
}

export type ApiTypes = PothosSchemaTypes.ExtendDefaultTypes<ApiSchemaTypes>;
export type ApiBuilder = PothosSchemaTypes.SchemaBuilder<ApiTypes>;

/** A fresh builder; every call of createSchema uses its own, so there is no module state. */
export const createBuilder = (): ApiBuilder => new SchemaBuilder<ApiSchemaTypes>({ defaultFieldNullability: false });
