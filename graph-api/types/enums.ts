import { IMPACT_FLOW, RELATION_RULES } from '../../catalog/relations.ts';
import type { Criticality, RelationType } from '../../catalog/types.ts';
import type { Direction } from '../../graph/GraphStore.ts';
import type { ApiBuilder } from '../builder.ts';

/** The relation as read from the other end (`dependsOn` -> `dependencyOf`), from the catalog's relation table. */
export function inverseName(relation: RelationType): string {
  return RELATION_RULES.find((rule) => rule.relation === relation)?.inverse ?? relation;
}

const relationValue = (value: RelationType) => ({
  value,
  description: `\`${value}\` (inverse \`${inverseName(value)}\`); impact flows ${IMPACT_FLOW[value]}.`,
});

/** Registers the enums; other types take the returned refs. */
export function addEnums(builder: ApiBuilder) {
  const Direction = builder.enumType('Direction', {
    description: 'Which end of a relation: OUT when the entity is its source, IN when its target.',
    values: {
      IN: { value: 'in' as Direction },
      OUT: { value: 'out' as Direction },
      BOTH: { value: 'both' as Direction },
    },
  });
  const Relation = builder.enumType('Relation', {
    description: 'Kinds of edges, named from the source: an entity dependsOn another.',
    values: {
      OWNED_BY: relationValue('ownedBy'),
      PART_OF: relationValue('partOf'),
      DEPENDS_ON: relationValue('dependsOn'),
      PROVIDES_API: relationValue('providesApi'),
      CONSUMES_API: relationValue('consumesApi'),
      RUNS_ON: relationValue('runsOn'),
      MEMBER_OF: relationValue('memberOf'),
      CHILD_OF: relationValue('childOf'),
    },
  });
  const Criticality = builder.enumType('Criticality', {
    values: {
      CRITICAL: { value: 'critical' as Criticality },
      HIGH: { value: 'high' as Criticality },
      MEDIUM: { value: 'medium' as Criticality },
      LOW: { value: 'low' as Criticality },
    },
  });
  return { Direction, Relation, Criticality };
}

export type ApiEnums = ReturnType<typeof addEnums>;
