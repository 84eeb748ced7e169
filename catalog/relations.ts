import type { ImpactFlow, RelationType } from './types.ts';

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

/** The relation table of DESIGN.md: data, not code. */
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

/** Fields that name the source of the edge they declare (the declaring entity is its target). */
export const REVERSED_FIELDS: ReadonlySet<string> = new Set(RELATION_RULES.filter((r) => r.reversed).map((r) => r.field));

/** Direction in which an outage or change propagates along each relation. */
export const IMPACT_FLOW: Readonly<Record<RelationType, ImpactFlow>> = {
  ownedBy: 'none',
  partOf: 'source-to-target', // part -> whole
  dependsOn: 'target-to-source', // dependency -> dependent
  providesApi: 'source-to-target', // provider -> API
  consumesApi: 'target-to-source', // API -> consumer
  runsOn: 'target-to-source', // host -> workload
  memberOf: 'none',
  childOf: 'none',
};

export const RELATION_TYPES = Object.keys(IMPACT_FLOW) as RelationType[];

/** Neo4j relationship type of each relation. */
export const RELATIONSHIP_TYPE: Readonly<Record<RelationType, string>> = {
  ownedBy: 'OWNED_BY',
  partOf: 'PART_OF',
  dependsOn: 'DEPENDS_ON',
  providesApi: 'PROVIDES_API',
  consumesApi: 'CONSUMES_API',
  runsOn: 'RUNS_ON',
  memberOf: 'MEMBER_OF',
  childOf: 'CHILD_OF',
};

const rulesByApiVersion = new Map<string, readonly RelationRule[]>();

/** Rules that apply to a document of this apiVersion; of a kind read generically, only the `generic` ones. */
export function rulesFor(apiVersion: string, generic = false): readonly RelationRule[] {
  const key = `${generic ? 'generic ' : ''}${apiVersion}`;
  let rules = rulesByApiVersion.get(key);
  if (!rules) {
    rules = RELATION_RULES.filter((r) => (!r.apiVersions || r.apiVersions.some((p) => apiVersion.startsWith(p))) && (!generic || r.generic));
    if (rulesByApiVersion.size < 64) rulesByApiVersion.set(key, rules);
  }
  return rules;
}
