import { criticality, nonEmptyString, objectOf, observe, ref, refList } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

/** A machine, physical or virtual (cmdb/v1 only). */
export const HOST_KIND: KindDefinition = {
  kind: 'Host',
  description: 'A machine, physical or virtual.',
  cmdb: objectOf(
    {
      type: nonEmptyString('Type of host, e.g. vm, bare-metal, instance.'),
      owner: ref('Owner of the host (default kind group).'),
      system: ref('System the host belongs to (default kind system).'),
      criticality,
      lifecycle: nonEmptyString('Lifecycle stage, e.g. production, deprecated.'),
      address: nonEmptyString('Hostname or IP address.'),
      os: nonEmptyString('Operating system, e.g. ubuntu-24.04.'),
      provider: nonEmptyString('Where the host lives, e.g. aws, gcp, on-prem.'),
      region: nonEmptyString('Region or site, e.g. eu-west-1.'),
      runsOn: refList('What the host runs on, e.g. cluster:vsphere-1 or host:hypervisor-3 (kind required).'),
      dependsOn: refList('Entities the host needs, e.g. network:dmz (kind required).'),
      dependencyOf: refList('Entities that need this host (kind required).'),
      observe,
    },
    { strict: true },
  ),
};
