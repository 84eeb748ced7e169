import { clusterLookup, observingRefs, OBSERVE_RULE, runsOnCluster } from '../catalog/observe.ts';
import type { Entity, Snapshot, Violation } from '../catalog/types.ts';
import { yaml } from '../catalog/yamlLib.ts';
import { positionOf, type Position } from '../catalog/yamlPositions.ts';
import { bindingsFromObserve } from './bindings.ts';
import { ignoreFor, type ReconcileConfig } from './config.ts';
import type { Binding } from './types.ts';

export { clusterContext, OBSERVE_RULE, runsOnCluster } from '../catalog/observe.ts';

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

/** A `spec.observe` entry that makes no binding: the entity, the dotted path of the setting (`spec.observe[0].kubernetes.cluster`) and why. */
export interface ObserveProblem {
  entity: Entity;
  path: string;
  message: string;
}

/**
 * The one walker of a snapshot's bindings: every entity with `spec.observe`
 * (found in the snapshot's columns: the others are not built), its entries
 * read by `bindingsFromObserve` with the defaults (a `kubernetes` entry
 * without `cluster` means the first cluster the entity runs on), cmdb.yaml's
 * `reconcile.ignore` rules and the cluster rule `cmdb validate` applies
 * (`clusterProblem`: a Cluster entity with `spec.kubernetes.context`).
 * An entry that cannot be a binding is a problem, never a binding.
 * Bindings in ref then entry order.
 */
export function snapshotBindings(
  snapshot: Pick<Snapshot, 'entities' | 'observeEntries'>,
  options: { config?: ReconcileConfig } = {},
): { bindings: Binding[]; problems: ObserveProblem[] } {
  const ignore = options.config ? ignoreFor(options.config) : undefined;
  const clusters = clusterLookup(snapshot);
  const bindings: Binding[] = [];
  const problems: ObserveProblem[] = [];
  for (const ref of observingRefs(snapshot)) {
    const entity = snapshot.entities.get(ref);
    if (!entity) continue;
    const found = bindingsFromObserve(ref, entity.spec.observe, { defaultCluster: runsOnCluster(entity.spec), ignoreFor: ignore, clusters });
    for (const p of found.problems) problems.push({ entity, path: p.path, message: p.message });
    bindings.push(...found.bindings);
  }
  return { bindings, problems };
}

/**
 * Every binding of a snapshot (`snapshotBindings`), and a violation (rule
 * `observe`, at the file:line:column of the setting) for each `spec.observe`
 * entry that cannot be one: a malformed entry (`bindingsFromObserve`), a
 * `kubernetes` check bound to no Cluster entity, or to one without
 * `spec.kubernetes.context` (the context of the controller's kubeconfig to
 * use; the violations `cmdb validate` reports for them are the same).
 * Entries with a violation give no binding. Never rejects (an unreadable
 * blob places the violation at the nearest position the snapshot kept).
 */
export async function catalogBindings(
  snapshot: Pick<Snapshot, 'entities' | 'observeEntries'>,
  options: { config?: ReconcileConfig; blobText?: BlobText } = {},
): Promise<{ bindings: Binding[]; violations: Violation[] }> {
  const { bindings, problems } = snapshotBindings(snapshot, options);
  const at = locator(options.blobText);
  const violations: Violation[] = [];
  for (const { entity, path, message } of problems) {
    const [line, column] = await at(entity, pointerOf(path));
    violations.push({ rule: OBSERVE_RULE, severity: 'error', ref: entity.ref, message: `${entity.ref}: ${path} ${message}`, file: entity.source.file, line, column });
  }
  return { bindings, violations };
}
