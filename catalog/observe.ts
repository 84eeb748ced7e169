import { normalizeRef, splitRef } from './refs.ts';
import type { Entity, ObserveEntry, RefString, Snapshot, Violation } from './types.ts';
import type { Position } from './yamlPositions.ts';

/**
 * What snapshots keep of `spec.observe` (the bindings the reconcilers check),
 * so that validation finds the bindings to unknown clusters without building
 * every entity: per entry, its check and the Cluster a `kubernetes` entry
 * names or defaults to, with the position of that setting. And the one rule
 * for those clusters, used by `cmdb validate`, `cmdb check` and the reconcilers.
 */

/** The rule name of every `spec.observe` violation. */
export const OBSERVE_RULE = 'observe';

/** Checks of an observe entry, by their index in the records' tuples. */
export const OBSERVE_CHECKS = ['other', 'kubernetes', 'http'] as const;

/**
 * An entry of `spec.observe` as a parse record keeps it:
 * [entry index, check (index in OBSERVE_CHECKS), cluster ref ('' when none or not a kubernetes entry), line, column, 1 when the cluster is the runsOn default].
 */
export type ObserveTuple = [number, number, string, number, number, number];

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The kubeconfig context a Cluster entity names (`spec.kubernetes.context`), if any. */
export function clusterContext(entity: Pick<Entity, 'spec'> | undefined): string | undefined {
  const k = entity?.spec.kubernetes;
  return isRecord(k) && typeof k.context === 'string' && k.context !== '' ? k.context : undefined;
}

/** The first cluster an entity runs on (`spec.runsOn`), the default cluster of its `kubernetes` checks. */
export function runsOnCluster(spec: Record<string, unknown>): RefString | undefined {
  const runsOn = spec.runsOn;
  for (const text of Array.isArray(runsOn) ? runsOn : []) {
    const ref = typeof text === 'string' ? normalizeRef(text) : undefined;
    if (ref && splitRef(ref).kind === 'cluster') return ref;
  }
  return undefined;
}

/**
 * The cluster a `kubernetes` entry means: its `cluster` (kind `cluster` by
 * default), else `defaultCluster`. `text` is what was read, for messages.
 */
export function entryCluster(cluster: unknown, defaultCluster: string | undefined): { cluster?: RefString; text?: string; implicit: boolean } {
  const implicit = typeof cluster !== 'string';
  const text = implicit ? defaultCluster : cluster;
  return { cluster: text === undefined ? undefined : normalizeRef(text, { defaultKind: 'cluster' }), text, implicit };
}

/**
 * The tuples of a document's `spec.observe` (empty without one). Positions:
 * a `kubernetes` entry's `cluster` key, else its `kubernetes` key, else the
 * entry's start, else `start`.
 */
export function observeTuples(spec: Record<string, unknown>, positions: Record<string, Position>, start: Position): ObserveTuple[] {
  const observe = spec.observe;
  if (!Array.isArray(observe)) return [];
  const defaultCluster = runsOnCluster(spec);
  return observe.map((entry, i): ObserveTuple => {
    const at = `/spec/observe/${i}`;
    const kubernetes = isRecord(entry) ? entry.kubernetes : undefined;
    if (!isRecord(kubernetes)) {
      const check = isRecord(entry) && isRecord(entry.http) ? 2 : 0;
      const [line, column] = positions[at] ?? start;
      return [i, check, '', line, column, 0];
    }
    const { cluster, implicit } = entryCluster(kubernetes.cluster, defaultCluster);
    const [line, column] = positions[`${at}/kubernetes/cluster`] ?? positions[`${at}/kubernetes`] ?? positions[at] ?? start;
    return [i, 1, cluster ?? '', line, column, implicit ? 1 : 0];
  });
}

/** What the cluster rule needs of the entities the catalog defines. */
export type ClusterLookup = (ref: RefString) => Pick<Entity, 'kind' | 'spec'> | undefined;

/**
 * Why a `kubernetes` entry cannot be reconciled for its cluster, or undefined
 * when it can: no cluster (none given and the entity runs on none), a ref
 * that is not an entity, not a Cluster, or a Cluster without
 * `spec.kubernetes.context` (the controller's kubeconfig context for it).
 */
export function clusterProblem(entry: Pick<ObserveEntry, 'cluster' | 'implicit'>, lookup: ClusterLookup): string | undefined {
  const { cluster, implicit } = entry;
  if (cluster === undefined) return implicit ? 'is required: the entity runs on no cluster' : 'is not a cluster reference';
  const names = implicit ? `is not set and defaults to ${cluster} (the cluster the entity runs on),` : `refers to ${cluster},`;
  const entity = lookup(cluster);
  if (!entity) return `${names} which is not an entity of the catalog`;
  if (entity.kind !== 'Cluster') return `${names} a ${entity.kind}, not a Cluster`;
  if (clusterContext(entity) === undefined) return `${names} which has no spec.kubernetes.context (the kubeconfig context the controller uses for it)`;
  return undefined;
}

/**
 * A violation (rule `observe`, at the file:line:column of the entry's
 * `cluster`, or of its `kubernetes` key when the cluster is the default) for
 * each `kubernetes` entry of a `spec.observe` whose cluster fails
 * `clusterProblem`. Reads the entries from the snapshot's columns and builds
 * only the entities they name.
 */
export function observeViolations(snapshot: Pick<Snapshot, 'observeEntries' | 'entities'>): Violation[] {
  const lookup = clusterLookup(snapshot);
  const violations: Violation[] = [];
  for (const entry of snapshot.observeEntries()) {
    if (entry.check !== 'kubernetes') continue;
    const problem = clusterProblem(entry, lookup);
    if (problem === undefined) continue;
    violations.push({
      rule: OBSERVE_RULE,
      severity: 'error',
      ref: entry.ref,
      message: `${entry.ref}: spec.observe[${entry.entry}].kubernetes.cluster ${problem}`,
      ...entry.location,
    });
  }
  return violations;
}

/** The snapshot's entities by ref for `clusterProblem`, each built once. */
export function clusterLookup(snapshot: Pick<Snapshot, 'entities'>): ClusterLookup {
  const clusters = new Map<RefString, Entity | undefined>();
  return (ref) => {
    if (!clusters.has(ref)) clusters.set(ref, snapshot.entities.get(ref));
    return clusters.get(ref);
  };
}

/** Refs of the entities that have `spec.observe` entries, in ref order (without building the others). */
export function observingRefs(snapshot: Pick<Snapshot, 'observeEntries'>): RefString[] {
  const refs: RefString[] = [];
  for (const { ref } of snapshot.observeEntries()) if (refs[refs.length - 1] !== ref) refs.push(ref);
  return refs;
}
