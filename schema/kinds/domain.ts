import { criticality, nonEmptyString, objectOf, ref, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

const backstageFields: Record<string, JsonSchema> = {
  owner: ref('Owner of the domain (default kind group).'),
  subdomainOf: ref('Parent domain (default kind domain).'),
  type: nonEmptyString('Type of domain, e.g. product-area.'),
  criticality,
};

/** A bounded context grouping systems. */
export const DOMAIN_KIND: KindDefinition = {
  kind: 'Domain',
  description: 'A bounded context: systems sharing terminology, models and business purpose.',
  backstage: objectOf(backstageFields, { required: ['owner'], strict: false }),
  cmdb: objectOf(backstageFields, { required: ['owner'], strict: true }),
};
