import { compareObjects } from '../compare/compare.ts';
import { healthOverTime, type ProgressClock } from '../health/health.ts';
import type { JsonObject, KubernetesBinding, KubernetesFinding } from '../types.ts';
import { describeApiFailure, type ApiFailure } from './apiFailure.ts';

/** What the API said about a binding's object. */
export type Lookup =
  | { outcome: 'found'; object: JsonObject }
  /** A successful get (404 naming the object) or a complete list without it. */
  | { outcome: 'not-found' }
  | { outcome: 'failed'; failure: ApiFailure };

export interface JudgeContext {
  /** An HPA scales the object (`scaledByHpa`). */
  replicasManagedByHpa: boolean;
  /** The binding's progress clock from the previous observation (StatefulSet, DaemonSet). */
  clock?: ProgressClock;
  /** Now, in ms since the epoch. */
  now: number;
  progressDeadlineMs?: number;
}

const describeTarget = (b: KubernetesBinding) =>
  `${b.target.kind} ${b.target.namespace ? `${b.target.namespace}/` : ''}${b.target.name} in ${b.target.cluster}`;

/**
 * The findings of one Kubernetes binding from one lookup, and the progress
 * clock to keep: `unknown` when the API failed, `missing` when it said the
 * object does not exist, else one `drifted` per differing field and
 * `unhealthy` when the health rules say so. Pure.
 */
export function judgeKubernetes(binding: KubernetesBinding, lookup: Lookup, context: JudgeContext): { findings: KubernetesFinding[]; clock: ProgressClock } {
  const base = { ref: binding.ref, check: 'kubernetes' as const, target: binding.target };
  if (lookup.outcome === 'failed') {
    return { findings: [{ ...base, finding: 'unknown', message: describeApiFailure(lookup.failure, binding.target.cluster) }], clock: {} };
  }
  if (lookup.outcome === 'not-found') {
    return { findings: [{ ...base, finding: 'missing', message: `${describeTarget(binding)} does not exist` }], clock: {} };
  }
  const drifts = compareObjects(binding.expect, lookup.object, {
    ignore: binding.ignore,
    replicasManagedByHpa: context.replicasManagedByHpa,
    kind: binding.target.kind,
  });
  const findings: KubernetesFinding[] = drifts.map((d) => ({
    ...base,
    finding: 'drifted',
    ...d,
    message: `${describeTarget(binding)}: ${d.field} is ${d.actual === undefined ? 'absent' : JSON.stringify(d.actual)}, expected ${JSON.stringify(d.expected)}`,
  }));
  const { health, clock } = healthOverTime(lookup.object, context.clock ?? {}, context.now, context.progressDeadlineMs);
  if (health.status === 'unhealthy') findings.push({ ...base, finding: 'unhealthy', message: `${describeTarget(binding)} is unhealthy (${health.reason}): ${health.message}` });
  return { findings, clock };
}
