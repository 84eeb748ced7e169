import { normalizeRef, splitRef } from '../catalog/refs.ts';
import type { Entity, Snapshot, Violation } from '../catalog/types.ts';
import { yaml } from '../catalog/yamlLib.ts';
import { positionOf, type Position } from '../catalog/yamlPositions.ts';
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
export function runsOnCluster(entity: Entity): RefString | undefined {
  const runsOn = entity.spec.runsOn;
  for (const text of Array.isArray(runsOn) ? runsOn : []) {
    const ref = typeof text === 'string' ? normalizeRef(text) : undefined;
    if (ref && splitRef(ref).kind === 'cluster') return ref;
  }
  return undefined;
}

/** `spec.observe[1].kubernetes.ignore[0]` as a JSON pointer: `/spec/observe/1/kubernetes/ignore/0`. */
const pointerOf = (path: string): string => `/${path.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}`;

/** The text of a blob of the repository (`Entity.source.blob`), to place violations on the exact setting. */
export type BlobText = (oid: string) => Promise<string | undefined>;

/**
 * Where a setting of an entity is: read from its blob when `blobText` is
 * given (snapshots keep the positions of a few nodes only), else the nearest
 * kept ancestor, else the document's start.
 */
function locator(blobText: BlobText | undefined): (entity: Entity, pointer: string) => Promise<Position> {
  const parsed = new Map<string, Promise<{ docs: ReturnType<ReturnType<typeof yaml>['parseAllDocuments']>; counter: InstanceType<ReturnType<typeof yaml>['LineCounter']> } | undefined>>();
  return async (entity, pointer) => {
    const blob = entity.source.blob;
    if (blobText && !parsed.has(blob)) {
      parsed.set(blob, blobText(blob).then((text) => {
        if (text === undefined) return undefined;
        const counter = new (yaml().LineCounter)();
        return { docs: yaml().parseAllDocuments(text, { lineCounter: counter }), counter };
      }, () => undefined));
    }
    const file = await parsed.get(blob);
    const doc = Array.isArray(file?.docs) ? file.docs[entity.source.document] : undefined;
    if (file && doc) return positionOf(doc as never, file.counter, pointer);
    let p = pointer;
    while (p !== '' && entity.positions[p] === undefined) p = p.slice(0, p.lastIndexOf('/'));
    return entity.positions[p] ?? [entity.source.line, entity.source.column];
  };
}

/**
 * Every binding of a snapshot, and a violation (rule `observe`, at the
 * file:line:column of the setting) for each `spec.observe` entry that cannot
 * be one: a malformed entry (`bindingsFromObserve`), a `kubernetes` check
 * bound to no Cluster entity, or to one without `spec.kubernetes.context`
 * (the context of the controller's kubeconfig to use). Entries with a
 * violation give no binding. Never rejects (an unreadable blob places the
 * violation at the document's start).
 */
export async function catalogBindings(
  snapshot: Pick<Snapshot, 'entities'>,
  options: { config?: ReconcileConfig; blobText?: BlobText } = {},
): Promise<{ bindings: Binding[]; violations: Violation[] }> {
  const { config, blobText } = options;
  const bindings: Binding[] = [];
  const pending: { entity: Entity; path: string; message: string }[] = [];
  const ignore = config ? ignoreFor(config) : undefined;
  for (const entity of [...snapshot.entities.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))) {
    const observe = entity.spec.observe;
    if (observe === undefined) continue;
    const violation = (path: string, message: string) => pending.push({ entity, path, message });
    const found = bindingsFromObserve(entity.ref, observe, { defaultCluster: runsOnCluster(entity), ignoreFor: ignore });
    for (const p of found.problems) violation(p.path, p.message);
    // The entry each binding came from, by key (the same reading of one entry alone).
    const entryOf = new Map<string, number>();
    (Array.isArray(observe) ? observe : []).forEach((entry, i) => {
      const key = bindingsFromObserve(entity.ref, [entry], { defaultCluster: runsOnCluster(entity) }).bindings[0]?.key;
      if (key !== undefined && !entryOf.has(key)) entryOf.set(key, i);
    });
    for (const binding of found.bindings) {
      if (binding.check === 'kubernetes') {
        const path = `spec.observe[${entryOf.get(binding.key) ?? 0}].kubernetes.cluster`;
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
  const at = locator(blobText);
  const violations: Violation[] = [];
  for (const { entity, path, message } of pending) {
    const [line, column] = await at(entity, pointerOf(path));
    violations.push({ rule: OBSERVE_RULE, severity: 'error', ref: entity.ref, message: `${entity.ref}: ${path} ${message}`, file: entity.source.file, line, column });
  }
  return { bindings, violations };
}
