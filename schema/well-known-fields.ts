import { RELATION_RULES } from './relationTable.ts';
import { criticality, observe, ref, refList, type JsonSchema } from './fragments.ts';

/** Relation fields holding one reference; every other relation field holds a list. */
const SINGLE_REFERENCE_FIELDS = new Set(['owner', 'system', 'domain', 'subdomainOf', 'subcomponentOf', 'parent']);

/**
 * Shapes of the spec fields the controller gives a meaning to, whatever the
 * kind: the relation fields of the relation table (relationTable.ts), `criticality` and
 * `observe`. Applied to kinds declared by CIClass next to their own schema,
 * so that those fields stay usable by relations, policies and reconcilers.
 */
export function wellKnownFieldsSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const { field } of RELATION_RULES) {
    properties[field] = SINGLE_REFERENCE_FIELDS.has(field) ? ref('An entity reference.') : refList('Entity references.');
  }
  return { $id: 'cmdb:schema/well-known-fields', type: 'object', properties: { ...properties, criticality, observe } };
}
