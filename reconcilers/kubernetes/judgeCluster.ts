import type { RefString } from '../../core/types.ts';
import type { ProgressClock } from '../health/health.ts';
import type { KubernetesBinding, KubernetesFinding } from '../types.ts';
import { describeApiFailure, type ApiFailure } from './apiFailure.ts';
import { scaledByHpa } from './hpa.ts';
import { objectKey, type InformerState } from './informer.ts';
import { judgeKubernetes, type Lookup } from './judge.ts';
import type { JsonObject } from '../types.ts';

/** The HorizontalPodAutoscalers the reconciler watches to know who owns `spec.replicas`. */
export const HPA_KIND = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' } as const;

/** Failures that concern the whole cluster, not one kind or namespace: one finding for the cluster. */
const CLUSTER_WIDE: ReadonlySet<ApiFailure['reason']> = new Set(['unreachable', 'unauthorized', 'timeout']);

/** The collection (informer) a binding's object is in: one per cluster, kind and namespace. */
export const collectionKey = (cluster: RefString, apiVersion: string, kind: string, namespace: string | undefined): string =>
  `${cluster} ${apiVersion} ${kind} ${namespace ?? ''}`;

/** The cluster of a `collectionKey` (refs hold no space). */
export const clusterOfCollection = (key: string): RefString => key.slice(0, key.indexOf(' '));

/** Whether a binding compares `spec.replicas`, so needs to know about autoscalers. */
export const expectsReplicas = (b: KubernetesBinding): boolean => ((b.expect.spec ?? undefined) as JsonObject | undefined)?.replicas !== undefined;

/** The collections a binding needs: its object's, and the HPAs of its namespace when it expects replicas. */
export function collectionsOf(b: KubernetesBinding): { key: string; apiVersion: string; kind: string; namespace?: string }[] {
  const t = b.target;
  const own = { key: collectionKey(t.cluster, t.apiVersion, t.kind, t.namespace), apiVersion: t.apiVersion, kind: t.kind, ...(t.namespace ? { namespace: t.namespace } : {}) };
  if (!expectsReplicas(b) || !t.namespace) return [own];
  return [own, { key: collectionKey(t.cluster, HPA_KIND.apiVersion, HPA_KIND.kind, t.namespace), ...HPA_KIND, namespace: t.namespace }];
}

/** The finding of a cluster the reconciler cannot see at all: its `ref` is the Cluster entity, its target names only the cluster. */
export function clusterFinding(cluster: RefString, message: string): KubernetesFinding {
  return { ref: cluster, check: 'kubernetes', finding: 'unknown', target: { cluster, apiVersion: '', kind: '', name: '' }, message };
}

/** The key of a cluster's own finding in a FindingBook. */
export const clusterFindingKey = (cluster: RefString): string => `kubernetes-cluster ${cluster}`;

export interface ClusterJudgement {
  /** Set when the cluster cannot be seen: the bindings are then not judged (they keep what they had). */
  cluster?: KubernetesFinding;
  /** Per binding key: its findings and clock; absent while its collections are still syncing. */
  bindings: Map<string, { findings: KubernetesFinding[]; clock: ProgressClock }>;
}

/**
 * Judges the bindings of one cluster from the states of its collections.
 * `problem` is why there is no client for the cluster at all (no context).
 * Pure.
 */
export function judgeCluster(
  cluster: RefString,
  bindings: readonly KubernetesBinding[],
  stateOf: (collection: string) => InformerState | undefined,
  context: {
    problem?: string;
    clocks: ReadonlyMap<string, ProgressClock>;
    now: number;
    progressDeadlineMs?: number;
    /** The collections whose cluster-wide failure is the cluster's finding, when `bindings` are only some of the cluster's (default: those of `bindings`). */
    collections?: Iterable<string>;
  },
): ClusterJudgement {
  const result: ClusterJudgement = { bindings: new Map() };
  if (context.problem !== undefined) return { ...result, cluster: clusterFinding(cluster, context.problem) };
  for (const key of context.collections ?? bindings.flatMap((b) => collectionsOf(b).map((c) => c.key))) {
    const state = stateOf(key);
    if (state?.status === 'failed' && CLUSTER_WIDE.has(state.failure.reason)) return { ...result, cluster: clusterFinding(cluster, describeApiFailure(state.failure, cluster)) };
  }
  for (const b of bindings) {
    const [own, hpas] = collectionsOf(b).map((c) => stateOf(c.key));
    if (!own || own.status === 'syncing' || hpas?.status === 'syncing') continue;
    let lookup: Lookup;
    if (own.status === 'failed') lookup = { outcome: 'failed', failure: own.failure };
    else if (hpas?.status === 'failed') lookup = { outcome: 'failed', failure: hpas.failure };
    else {
      const object = own.objects.get(objectKey(b.target.namespace, b.target.name));
      lookup = object ? { outcome: 'found', object } : { outcome: 'not-found' };
    }
    const replicasManagedByHpa = hpas?.status === 'synced' && scaledByHpa(b.target, [...hpas.objects.values()]);
    result.bindings.set(b.key, judgeKubernetes(b, lookup, { replicasManagedByHpa, clock: context.clocks.get(b.key), now: context.now, progressDeadlineMs: context.progressDeadlineMs }));
  }
  return result;
}
