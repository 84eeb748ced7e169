import type { ImpactFlow, RelationType } from './types.ts';

// The table lives in schema/ (the catalog format, which the schemas of reference fields follow); the catalog reads it from here.
export { RELATION_RULES, type RelationRule } from '../schema/relationTable.ts';
import { RELATION_RULES, type RelationRule } from '../schema/relationTable.ts';

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
