import { KubeConfig } from '@kubernetes/client-node';
import type { Snapshot } from '../../catalog/types.ts';
import type { RefString } from '../../core/types.ts';
import { CmdbError } from '../../core/errors.ts';
import { clusterContext } from '../../catalog/observe.ts';
import { configForContext } from './client.ts';
import type { ClusterAccess } from './KubernetesReconciler.ts';

/**
 * The controller's kubeconfig: the file given (`--kubeconfig`), else
 * `KUBECONFIG`, else `~/.kube/config`, else the in-cluster service account.
 * Credentials never come from the catalog. Throws a CmdbError (code `usage`)
 * naming the file when it cannot be read.
 */
export function loadKubeConfig(file?: string): KubeConfig {
  const config = new KubeConfig();
  try {
    if (file !== undefined) config.loadFromFile(file);
    else config.loadFromDefault();
  } catch (error) {
    throw new CmdbError(`cannot read the kubeconfig ${file ?? process.env.KUBECONFIG ?? '(default)'}: ${(error as Error).message}`, { code: 'usage', cause: error });
  }
  return config;
}

/**
 * How to reach each Cluster entity of a snapshot: the kubeconfig context its
 * `spec.kubernetes.context` names. A cluster without one, or naming a
 * context the kubeconfig lacks, is a problem (an `unknown` finding).
 */
export function clusterAccessFrom(snapshot: Pick<Snapshot, 'entities'>, kubeconfig: KubeConfig): (cluster: RefString) => ClusterAccess {
  return (cluster) => {
    const context = clusterContext(snapshot.entities.get(cluster));
    if (context === undefined) return { problem: `${cluster} names no kubeconfig context (spec.kubernetes.context)` };
    const config = configForContext(kubeconfig, context);
    if (!config) return { problem: `the kubeconfig has no context "${context}" (named by ${cluster}): ${kubeconfig.getContexts().map((c) => c.name).join(', ') || 'no contexts'}` };
    return { config };
  };
}
