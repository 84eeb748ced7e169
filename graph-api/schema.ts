import type { GraphQLSchema } from './graphql.ts';
import { createBuilder } from './builder.ts';
import { addCatalogViolationType } from './types/CatalogViolation.ts';
import { addConnectionTypes } from './types/EntityConnection.ts';
import { addEntityType } from './types/Entity.ts';
import { addEnums } from './types/enums.ts';
import { addImpactTypes } from './types/Impact.ts';
import { addLabelType } from './types/Label.ts';
import { addMeType } from './types/Me.ts';
import { addNeighbourType } from './types/Neighbour.ts';
import { addQueryType } from './types/Query.ts';

/** The API's executable schema; resolvers expect an ApiContext (see createApiContext). */
export function createSchema(): GraphQLSchema {
  const builder = createBuilder();
  const enums = addEnums(builder);
  addLabelType(builder);
  addNeighbourType(builder, enums);
  addImpactTypes(builder);
  addConnectionTypes(builder);
  addEntityType(builder, enums);
  addQueryType(builder, enums);
  addCatalogViolationType(builder);
  addMeType(builder);
  return builder.toSchema({ sortSchema: true });
}
