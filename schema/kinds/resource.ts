import { criticality, nonEmptyString, objectOf, observe, ref, refList, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

const backstageFields: Record<string, JsonSchema> = {
  type: nonEmptyString('Type of resource, e.g. database, s3-bucket, queue.'),
  owner: ref('Owner of the resource (default kind group).'),
  system: ref('System the resource belongs to (default kind system).'),
  dependsOn: refList('Entities the resource needs to function (kind required).'),
  dependencyOf: refList('Entities that need this resource (kind required).'),
  criticality,
};

const required = ['type', 'owner'];

/** Infrastructure a system needs: a database, a bucket, a queue, ... */
export const RESOURCE_KIND: KindDefinition = {
  kind: 'Resource',
  description: 'Infrastructure a system needs to operate, such as a database, a bucket or a queue.',
  backstage: objectOf(backstageFields, { required, strict: false }),
  cmdb: objectOf(
    {
      ...backstageFields,
      lifecycle: nonEmptyString('Lifecycle stage, e.g. experimental, production, deprecated.'),
      runsOn: refList('Where the resource runs, e.g. host:db-1 (kind required).'),
      observe,
    },
    { required, strict: true },
  ),
};
