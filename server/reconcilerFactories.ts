import { HttpReconciler } from '../reconcilers/http/HttpReconciler.ts';
import type { CheckKind } from '../reconcilers/types.ts';
import type { ServerConfig } from './config.ts';
import type { ReconcilerFactory } from './ReconcilerPart.ts';

/**
 * The reconcilers `cmdb serve --reconcile` runs, by check kind. HTTP only for
 * now: the Kubernetes reconciler plugs in here, with the `--kubeconfig` of
 * `config` for the clusters it watches.
 */
export async function reconcilerFactories(config: Pick<ServerConfig, 'kubeconfig'>): Promise<Partial<Record<CheckKind, ReconcilerFactory>>> {
  void config;
  return { http: (options) => new HttpReconciler(options) };
}
