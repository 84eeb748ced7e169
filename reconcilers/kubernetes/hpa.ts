import type { JsonObject, KubernetesTarget } from '../types.ts';

const groupOf = (apiVersion: unknown): string => (typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/**
 * True when one of these HorizontalPodAutoscalers (of the target's
 * namespace) scales the target: then `spec.replicas` is the autoscaler's,
 * not the catalog's, and is not compared. Matches `scaleTargetRef` by group,
 * kind and name (the version may differ).
 */
export function scaledByHpa(target: KubernetesTarget, hpas: readonly JsonObject[]): boolean {
  return hpas.some((hpa) => {
    const meta = hpa.metadata as JsonObject | undefined;
    const ref = (hpa.spec as JsonObject | undefined)?.scaleTargetRef as JsonObject | undefined;
    return (
      ref !== undefined &&
      (meta?.namespace ?? undefined) === target.namespace &&
      ref.kind === target.kind &&
      ref.name === target.name &&
      groupOf(ref.apiVersion) === groupOf(target.apiVersion)
    );
  });
}
