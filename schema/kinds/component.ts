import { criticality, nonEmptyString, objectOf, observe, ref, refList, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

const backstageFields: Record<string, JsonSchema> = {
  type: nonEmptyString('Type of component, e.g. service, website, library.'),
  lifecycle: nonEmptyString('Lifecycle stage, e.g. experimental, production, deprecated.'),
  owner: ref('Owner of the component (default kind group).'),
  system: ref('System the component belongs to (default kind system).'),
  subcomponentOf: ref('Component this one is part of (default kind component).'),
  providesApis: refList('APIs the component provides (default kind api).'),
  consumesApis: refList('APIs the component consumes (default kind api).'),
  dependsOn: refList('Entities the component needs to function (kind required).'),
  dependencyOf: refList('Entities that need this component (kind required).'),
  criticality,
};

const required = ['type', 'lifecycle', 'owner'];

/** A unit of software: a service, website, library, ... */
export const COMPONENT_KIND: KindDefinition = {
  kind: 'Component',
  description: 'A unit of software, such as a service, a website or a library.',
  backstage: objectOf(backstageFields, { required, strict: false }),
  cmdb: objectOf(
    {
      ...backstageFields,
      runsOn: refList('Where the component runs, e.g. cluster:prod-eu (kind required).'),
      observe,
    },
    { required, strict: true },
  ),
};
