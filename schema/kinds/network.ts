import { criticality, nonEmptyString, objectOf, ref, refList, HINT_KEYWORD } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

const IPV4_CIDR = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}/(3[0-2]|[12]?\\d)';
const IPV6_CIDR = '[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*/(12[0-8]|1[01]\\d|[1-9]?\\d)';

/** A network or address range (cmdb/v1 only). */
export const NETWORK_KIND: KindDefinition = {
  kind: 'Network',
  description: 'A network, subnet or VPC.',
  cmdb: objectOf(
    {
      type: nonEmptyString('Type of network, e.g. vpc, subnet, vlan.'),
      owner: ref('Owner of the network (default kind group).'),
      cidr: {
        type: 'string',
        pattern: `^(${IPV4_CIDR}|${IPV6_CIDR})$`,
        description: 'Address range.',
        [HINT_KEYWORD]: 'must be an IPv4 or IPv6 CIDR block such as 10.0.0.0/16',
      },
      criticality,
      system: ref('System the network belongs to (default kind system).'),
      lifecycle: nonEmptyString('Lifecycle stage, e.g. production, deprecated.'),
      provider: nonEmptyString('Where the network lives, e.g. aws, on-prem.'),
      region: nonEmptyString('Region or site, e.g. eu-west-1.'),
      dependsOn: refList('Entities the network needs (kind required).'),
      dependencyOf: refList('Entities that need this network (kind required).'),
    },
    { required: ['owner'], strict: true },
  ),
};
