import type { RelationType } from '../core/types.ts';

/** One row of the relation table: how a spec field becomes an edge. */
export interface RelationRule {
  /** The spec field, holding one reference or a list of them. */
  field: string;
  /** The relation stored; `reversed` rows store the edge from the referenced entity. */
  relation: RelationType;
  /** Name of the relation seen from the other end. */
  inverse: string;
  /** Kind assumed when the reference has none; undefined means the kind is required. */
  defaultKind?: string;
  /** True when the field names the source of the edge rather than its target. */
  reversed: boolean;
  /** Only for these apiVersion prefixes (undefined: all). */
  apiVersions?: readonly string[];
  /** Also read on kinds read generically (Backstage kinds this project does not define). */
  generic?: true;
}

/** The relation table (docs/catalog.md): data, not code. */
export const RELATION_RULES: readonly RelationRule[] = [
  { field: 'owner', relation: 'ownedBy', inverse: 'ownerOf', defaultKind: 'group', reversed: false, generic: true },
  { field: 'system', relation: 'partOf', inverse: 'hasPart', defaultKind: 'system', reversed: false, generic: true },
  { field: 'domain', relation: 'partOf', inverse: 'hasPart', defaultKind: 'domain', reversed: false },
  { field: 'subdomainOf', relation: 'partOf', inverse: 'hasPart', defaultKind: 'domain', reversed: false },
  { field: 'subcomponentOf', relation: 'partOf', inverse: 'hasPart', defaultKind: 'component', reversed: false },
  { field: 'dependsOn', relation: 'dependsOn', inverse: 'dependencyOf', reversed: false },
  { field: 'dependencyOf', relation: 'dependsOn', inverse: 'dependencyOf', reversed: true },
  { field: 'providesApis', relation: 'providesApi', inverse: 'apiProvidedBy', defaultKind: 'api', reversed: false },
  { field: 'consumesApis', relation: 'consumesApi', inverse: 'apiConsumedBy', defaultKind: 'api', reversed: false },
  { field: 'runsOn', relation: 'runsOn', inverse: 'hosts', reversed: false, apiVersions: ['cmdb/'] },
  { field: 'memberOf', relation: 'memberOf', inverse: 'hasMember', defaultKind: 'group', reversed: false },
  { field: 'members', relation: 'memberOf', inverse: 'hasMember', defaultKind: 'user', reversed: true },
  { field: 'parent', relation: 'childOf', inverse: 'parentOf', defaultKind: 'group', reversed: false },
  { field: 'children', relation: 'childOf', inverse: 'parentOf', defaultKind: 'group', reversed: true },
];
