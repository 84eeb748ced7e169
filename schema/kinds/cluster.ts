import { criticality, nonEmptyString, objectOf, observe, ref, refList } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

/** Types of cluster known; `other` for the rest. */
export const CLUSTER_TYPES = ['kubernetes', 'openshift', 'nomad', 'ecs', 'swarm', 'other'] as const;

/** A compute cluster workloads run on (cmdb/v1 only). */
export const CLUSTER_KIND: KindDefinition = {
  kind: 'Cluster',
  description: 'A compute cluster workloads run on.',
  cmdb: objectOf(
    {
      type: { enum: [...CLUSTER_TYPES], description: 'Orchestrator of the cluster.' },
      owner: ref('Owner of the cluster (default kind group).'),
      criticality,
      system: ref('System the cluster belongs to (default kind system).'),
      lifecycle: nonEmptyString('Lifecycle stage, e.g. production, deprecated.'),
      provider: nonEmptyString('Where the cluster lives, e.g. aws, gke, on-prem.'),
      region: nonEmptyString('Region or site, e.g. eu-west-1.'),
      version: nonEmptyString('Orchestrator version, e.g. 1.31.'),
      runsOn: refList('What the cluster runs on, e.g. host:node-1 (kind required).'),
      dependsOn: refList('Entities the cluster needs, e.g. network:prod-vpc (kind required).'),
      dependencyOf: refList('Entities that need this cluster (kind required).'),
      kubernetes: objectOf(
        { context: nonEmptyString("Context of the controller's kubeconfig used to reach this cluster (no credential lives in Git).") },
        { required: ['context'], strict: true, description: 'How the reconcilers reach the cluster.' },
      ),
      observe,
    },
    { required: ['type', 'owner'], strict: true },
  ),
};
