import { stringify } from 'yaml';
import { EXIT } from '../exitCodes.ts';
import { openCatalog } from '../context.ts';
import { forOption } from '../options.ts';
import type { Output } from '../output.ts';
import { CmdbError } from '../../core/errors.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import { splitRef } from '../../catalog/refs.ts';
import { clusterContext, snapshotBindings } from '../../reconcilers/catalogBindings.ts';
import { describeApiFailure } from '../../reconcilers/kubernetes/apiFailure.ts';
import { loadKubeConfig } from '../../reconcilers/kubernetes/access.ts';
import { configForContext, KubeClient } from '../../reconcilers/kubernetes/client.ts';
import { boundObjects, DISCOVERED_KINDS, proposeEntities, SYSTEM_NAMESPACES } from '../../reconcilers/kubernetes/discover.ts';
import { listCollection } from '../../reconcilers/kubernetes/informer.ts';
import type { JsonObject } from '../../reconcilers/types.ts';

export interface DiscoverKubernetesOptions {
  repo: string;
  ref: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  format: 'yaml' | 'json';
  git: GitImplementation;
  cache: boolean;
}

/**
 * `cmdb discover kubernetes`: the live Deployments, StatefulSets, DaemonSets
 * and Services of one cluster (the Cluster entity whose
 * spec.kubernetes.context is `--context`, default the kubeconfig's current
 * one) that no binding observes, as proposed catalog documents. Exit 0 when
 * every kind was listed, 2 when one could not be (the others are printed).
 */
export async function runDiscoverKubernetes(o: DiscoverKubernetesOptions, io: Output): Promise<number> {
  const reader = await openCatalog(o);
  const snapshot = await reader.read(await forOption('--ref', () => reader.git.resolve(o.ref)));
  const kubeconfig = await forOption('--kubeconfig', async () => loadKubeConfig(o.kubeconfig));
  const context = o.context ?? kubeconfig.getCurrentContext();
  const config = configForContext(kubeconfig, context);
  if (!config) throw new CmdbError(`--context: the kubeconfig has no context "${context}" (it has: ${kubeconfig.getContexts().map((c) => c.name).join(', ') || 'none'})`, { code: 'usage' });
  const clusterEntity = snapshot.entitiesOfKinds(['Cluster']).find((e) => clusterContext(e) === context);
  if (!clusterEntity) throw new CmdbError(`--context: no Cluster entity names the context "${context}" (spec.kubernetes.context); add one to the catalog first`, { code: 'usage' });
  const cluster = clusterEntity.ref;
  const client = new KubeClient({ config });
  const live: { apiVersion: string; kind: string; object: JsonObject }[] = [];
  const failures: string[] = [];
  for (const k of DISCOVERED_KINDS) {
    const list = await listCollection(client, { ...k, ...(o.namespace ? { namespace: o.namespace } : {}) });
    if (!list.ok) {
      failures.push(describeApiFailure(list.failure, cluster));
      continue;
    }
    for (const object of list.objects.values()) {
      const ns = ((object.metadata ?? {}) as JsonObject).namespace as string | undefined;
      if (!o.namespace && ns && SYSTEM_NAMESPACES.has(ns)) continue;
      live.push({ ...k, object });
    }
  }
  const names = new Set([...snapshot.entities.keys()].map((ref) => splitRef(ref).name));
  const proposals = proposeEntities({ cluster, live, bound: boundObjects(snapshotBindings(snapshot).bindings, cluster), taken: (name) => names.has(name) });
  if (o.format === 'json') {
    io.out(JSON.stringify({ commit: snapshot.commit, cluster, context, proposals, failures }, null, 2));
  } else if (proposals.length > 0) {
    io.out(
      proposals
        .map((p) => `# ${p.file}: ${p.objects.join(', ')}${p.notes.map((n) => `\n# TODO: ${n}`).join('')}\n${stringify(p.entity, { lineWidth: 0 }).trimEnd()}`)
        .join('\n---\n'),
    );
  }
  for (const f of failures) io.err(`cmdb: ${f}`);
  io.err(`${proposals.length} proposed entit${proposals.length === 1 ? 'y' : 'ies'} for unbound objects of ${cluster} (context ${context})`);
  return failures.length > 0 ? EXIT.error : EXIT.ok;
}
