import type { GraphQLSchema } from './graphql.ts';
import { createBuilder } from './builder.ts';
import { addCatalogTypes } from './types/Catalog.ts';
import { addCatalogViolationType } from './types/CatalogViolation.ts';
import { addChangeType } from './types/Change.ts';
import { addChangeWindowType } from './types/ChangeWindow.ts';
import { addOpenChangeType } from './types/OpenChange.ts';
import { addChangeEvaluation } from './types/ChangeEvaluation.ts';
import { addConnectionTypes } from './types/EntityConnection.ts';
import { addEntityType } from './types/Entity.ts';
import { addEnums } from './types/enums.ts';
import { addFindingTypes } from './types/Finding.ts';
import { addImpactTypes } from './types/Impact.ts';
import { addKpiTypes } from './types/Kpis.ts';
import { addIncidentTypes } from './types/Incident.ts';
import { addIncidentMutations } from './types/IncidentMutations.ts';
import { incidentRefs } from './types/incidentRefs.ts';
import { addLabelType } from './types/Label.ts';
import { addMeType } from './types/Me.ts';
import { addNeighbourhoodTypes } from './types/Neighbourhood.ts';
import { addNeighbourType } from './types/Neighbour.ts';
import { addProblemTypes } from './types/Problem.ts';
import { addSearchField } from './types/Search.ts';
import { addSubscriptions } from './types/Subscriptions.ts';
import { addTraversalFields } from './types/Traversals.ts';

/**
 * The API's executable schema; resolvers expect an ApiContext (see
 * createApiContext). `Query` starts empty: each type's file adds its root
 * fields, the catalog ones to `Query` and `Catalog` alike (addCatalogFields).
 */
export function createSchema(): GraphQLSchema {
  const builder = createBuilder();
  builder.queryType({ description: 'Reads of the served catalog, its history and changes.' });
  builder.mutationType({ description: 'Actions on incidents and problems (role RESPONDER or ADMIN), applied by the leader\'s incident engine.' });
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
  const change = addChangeType(builder);
  addChangeWindowType(builder, change);
  addOpenChangeType(builder);
  addKpiTypes(builder);
  const incidents = incidentRefs(builder);
  addIncidentTypes(builder, enums, incidents);
  addProblemTypes(builder, incidents);
  addFindingTypes(builder, incidents);
  addIncidentMutations(builder, incidents);
  addSubscriptions(builder, enums, incidents);
  return builder.toSchema({ sortSchema: true });
}
