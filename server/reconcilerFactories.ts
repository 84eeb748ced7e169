import type { KubeConfig } from '@kubernetes/client-node';
import type { Snapshot } from '../catalog/types.ts';
import { CmdbError } from '../core/errors.ts';
import { HttpReconciler } from '../reconcilers/http/HttpReconciler.ts';
import type { CheckKind } from '../reconcilers/types.ts';
import type { ServerConfig } from './config.ts';
import type { ReconcilerFactory } from './ReconcilerPart.ts';

/**
 * The reconcilers `cmdb serve --reconcile` runs, by check kind: HTTP probes,
 * and the Kubernetes reconciler, which reaches each Cluster entity of the
 * served commit (`snapshot()`) through the context it names in the
 * `--kubeconfig` (or KUBECONFIG, or the in-cluster service account).
 * `@kubernetes/client-node` loads only here.
 */
export async function reconcilerFactories(
  config: Pick<ServerConfig, 'kubeconfig'>,
  snapshot: () => Snapshot | undefined,
): Promise<Partial<Record<CheckKind, ReconcilerFactory>>> {
  const [{ KubernetesReconciler }, { clusterAccessFrom, loadKubeConfig }] = await Promise.all([
    import('../reconcilers/kubernetes/KubernetesReconciler.ts'),
    import('../reconcilers/kubernetes/access.ts'),
  ]);
  let kubeconfig: KubeConfig | CmdbError | undefined;
  const loaded = (): KubeConfig | CmdbError => {
    if (kubeconfig === undefined) {
      try {
        kubeconfig = loadKubeConfig(config.kubeconfig);
      } catch (error) {
        kubeconfig = error instanceof CmdbError ? error : new CmdbError(String(error), { code: 'config', cause: error });
      }
    }
    return kubeconfig;
  };
  return {
    http: (options) => new HttpReconciler(options),
    kubernetes: (options) =>
      new KubernetesReconciler({
        ...options,
        access: (cluster) => {
          const kc = loaded();
          if (kc instanceof CmdbError) return { problem: kc.message };
          const served = snapshot();
          if (!served) return { problem: 'no commit of the catalog is served yet' };
          return clusterAccessFrom(served, kc)(cluster);
        },
      }),
  };
}
