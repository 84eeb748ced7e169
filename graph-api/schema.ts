import type { GraphQLSchema } from './graphql.ts';
import { createBuilder } from './builder.ts';
import { addCatalogTypes } from './types/Catalog.ts';
import { addCatalogViolationType } from './types/CatalogViolation.ts';
import { addChangeType } from './types/Change.ts';
import { addChangeEvaluation } from './types/ChangeEvaluation.ts';
import { addConnectionTypes } from './types/EntityConnection.ts';
import { addEntityType } from './types/Entity.ts';
import { addEnums } from './types/enums.ts';
import { addImpactTypes } from './types/Impact.ts';
import { addKpiTypes } from './types/Kpis.ts';
import { addLabelType } from './types/Label.ts';
import { addMeType } from './types/Me.ts';
import { addNeighbourhoodTypes } from './types/Neighbourhood.ts';
import { addNeighbourType } from './types/Neighbour.ts';
import { addSearchField } from './types/Search.ts';
import { addTraversalFields } from './types/Traversals.ts';

/**
 * The API's executable schema; resolvers expect an ApiContext (see
 * createApiContext). `Query` starts empty: each type's file adds its root
 * fields, the catalog ones to `Query` and `Catalog` alike (addCatalogFields).
 */
export function createSchema(): GraphQLSchema {
  const builder = createBuilder();
  builder.queryType({ description: 'Reads of the served catalog, its history and changes.' });
  const enums = addEnums(builder);
  addCatalogTypes(builder);
  addLabelType(builder);
  addNeighbourType(builder, enums);
  addImpactTypes(builder);
  addConnectionTypes(builder);
  addEntityType(builder, enums);
  addTraversalFields(builder, enums);
  addSearchField(builder);
  addNeighbourhoodTypes(builder, enums);
  addCatalogViolationType(builder);
  addMeType(builder);
  addChangeEvaluation(builder);
  addChangeType(builder);
  addKpiTypes(builder);
  return builder.toSchema({ sortSchema: true });
}
