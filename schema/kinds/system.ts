import { criticality, nonEmptyString, objectOf, ref, refList, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

const backstageFields: Record<string, JsonSchema> = {
  owner: ref('Owner of the system (default kind group).'),
  domain: ref('Domain the system belongs to (default kind domain).'),
  type: nonEmptyString('Type of system.'),
  criticality,
};

/** A collection of components, resources and APIs. */
export const SYSTEM_KIND: KindDefinition = {
  kind: 'System',
  description: 'A collection of components, resources and APIs working together.',
  backstage: objectOf(backstageFields, { required: ['owner'], strict: false }),
  cmdb: objectOf(
    {
      ...backstageFields,
      dependsOn: refList('Entities the system needs to function (kind required).'),
      dependencyOf: refList('Entities that need this system (kind required).'),
    },
    { required: ['owner'], strict: true },
  ),
};
