import type { CatalogConfig } from '../catalog/config.ts';
import type { Snapshot } from '../catalog/types.ts';
import { bindingsFromObserve, type BindingProblem } from '../reconcilers/bindings.ts';
import { runsOnCluster } from '../reconcilers/catalogBindings.ts';
import { ignoreFor, parseReconcileConfig } from '../reconcilers/config.ts';
import type { Binding } from '../reconcilers/types.ts';

/**
 * The bindings of a served commit: every entity's `spec.observe` with the
 * defaults applied (a `kubernetes` entry without `cluster` means the first
 * cluster the entity `runsOn`) and cmdb.yaml's `reconcile.ignore` rules; an
 * entry that cannot be one is a problem (validation reports it), never a binding.
 */
export function bindingsOfSnapshot(snapshot: Snapshot, cmdb: CatalogConfig): { bindings: Binding[]; problems: BindingProblem[] } {
  const { config } = parseReconcileConfig(cmdb);
  const ignore = ignoreFor(config);
  const bindings: Binding[] = [];
  const problems: BindingProblem[] = [];
  for (const entity of snapshot.entities.values()) {
    if (entity.spec.observe === undefined) continue;
    const r = bindingsFromObserve(entity.ref, entity.spec.observe, { defaultCluster: runsOnCluster(entity), ignoreFor: ignore });
    bindings.push(...r.bindings);
    problems.push(...r.problems);
  }
  return { bindings: bindings.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), problems };
}
