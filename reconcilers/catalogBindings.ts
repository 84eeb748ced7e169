import { normalizeRef, splitRef } from '../catalog/refs.ts';
import type { Entity, Snapshot, Violation } from '../catalog/types.ts';
import type { RefString } from '../core/types.ts';
import { bindingsFromObserve } from './bindings.ts';
import { ignoreFor, type ReconcileConfig } from './config.ts';
import type { Binding } from './types.ts';

/** The rule name of every `spec.observe` violation. */
export const OBSERVE_RULE = 'observe';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The kubeconfig context a Cluster entity names (`spec.kubernetes.context`), if any. */
export function clusterContext(entity: Pick<Entity, 'spec'> | undefined): string | undefined {
  const k = entity?.spec.kubernetes;
  return isRecord(k) && typeof k.context === 'string' && k.context !== '' ? k.context : undefined;
}

/** The first cluster an entity runs on (`spec.runsOn`), the default of its `kubernetes` checks. */
function runsOnCluster(entity: Entity): RefString | undefined {
  const runsOn = entity.spec.runsOn;
  for (const text of Array.isArray(runsOn) ? runsOn : []) {
    const ref = typeof text === 'string' ? normalizeRef(text) : undefined;
    if (ref && splitRef(ref).kind === 'cluster') return ref;
  }
  return undefined;
}

/** `spec.observe[1].kubernetes.ignore[0]` as a JSON pointer: `/spec/observe/1/kubernetes/ignore/0`. */
const pointerOf = (path: string): string => `/${path.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}`;

function at(entity: Entity, path: string): Pick<Violation, 'file' | 'line' | 'column'> {
  let pointer = pointerOf(path);
  while (pointer !== '' && entity.positions[pointer] === undefined) pointer = pointer.slice(0, pointer.lastIndexOf('/'));
  const [line, column] = entity.positions[pointer] ?? [entity.source.line, entity.source.column];
  return { file: entity.source.file, line, column };
}

/**
 * Every binding of a snapshot, and a violation (rule `observe`, at the
 * file:line:column of the setting) for each `spec.observe` entry that cannot
 * be one: a malformed entry (`bindingsFromObserve`), a `kubernetes` check
 * bound to no Cluster entity, or to one without `spec.kubernetes.context`
 * (the context of the controller's kubeconfig to use). Entries with a
 * violation give no binding. Never throws.
 */
export function catalogBindings(snapshot: Pick<Snapshot, 'entities'>, config?: ReconcileConfig): { bindings: Binding[]; violations: Violation[] } {
  const bindings: Binding[] = [];
  const violations: Violation[] = [];
  const ignore = config ? ignoreFor(config) : undefined;
  for (const entity of [...snapshot.entities.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))) {
    const observe = entity.spec.observe;
    if (observe === undefined) continue;
    const violation = (path: string, message: string) =>
      violations.push({ rule: OBSERVE_RULE, severity: 'error', ref: entity.ref, message: `${entity.ref}: ${path} ${message}`, ...at(entity, path) });
    const found = bindingsFromObserve(entity.ref, observe, { defaultCluster: runsOnCluster(entity), ignoreFor: ignore });
    for (const p of found.problems) violation(p.path, p.message);
    const entries = Array.isArray(observe) ? observe : [];
    for (const binding of found.bindings) {
      if (binding.check === 'kubernetes') {
        const index = entries.findIndex((e) => isRecord(e) && isRecord(e.kubernetes) && e.kubernetes.name === binding.target.name && e.kubernetes.kind === binding.target.kind && e.kubernetes.namespace === binding.target.namespace);
        const path = `spec.observe[${Math.max(index, 0)}].kubernetes.cluster`;
        const cluster = snapshot.entities.get(binding.target.cluster);
        if (!cluster) {
          violation(path, `refers to ${binding.target.cluster}, which is not an entity of the catalog`);
          continue;
        }
        if (cluster.kind !== 'Cluster') {
          violation(path, `refers to ${binding.target.cluster}, a ${cluster.kind}, not a Cluster`);
          continue;
        }
        if (clusterContext(cluster) === undefined) {
          violation(path, `refers to ${binding.target.cluster}, which has no spec.kubernetes.context (the kubeconfig context the controller uses for it)`);
          continue;
        }
      }
      bindings.push(binding);
    }
  }
  return { bindings, violations };
}
