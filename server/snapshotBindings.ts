import type { CatalogConfig } from '../catalog/config.ts';
import type { Snapshot } from '../catalog/types.ts';
import type { BindingProblem } from '../reconcilers/bindings.ts';
import { snapshotBindings } from '../reconcilers/catalogBindings.ts';
import { parseReconcileConfig } from '../reconcilers/config.ts';
import type { Binding } from '../reconcilers/types.ts';

/**
 * The bindings of a served commit (`snapshotBindings`, the walker `cmdb
 * reconcile` uses, with cmdb.yaml's `reconcile.ignore` rules), sorted by key;
 * an entry that cannot be one is a problem (validation reports it), never a binding.
 */
export function bindingsOfSnapshot(snapshot: Snapshot, cmdb: CatalogConfig): { bindings: Binding[]; problems: BindingProblem[] } {
  const { config } = parseReconcileConfig(cmdb);
  const { bindings, problems } = snapshotBindings(snapshot, { config });
  return {
    bindings: bindings.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    problems: problems.map((p) => ({ ref: p.entity.ref, path: p.path, message: p.message })),
  };
}
