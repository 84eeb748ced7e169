import type { CatalogReader } from '../catalog/CatalogReader.ts';
import { observeViolations } from '../catalog/observe.ts';
import type { Snapshot, Violation } from '../catalog/types.ts';
import { sectionViolations, type ConfigSectionCheck } from './configSections.ts';
import { cycleViolation } from './steps/validate.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import { gitSourceLoader } from '../policies/positions.ts';
import { checkPolicies } from '../policies/rulebook.ts';

/**
 * Every problem of a commit, as `cmdb validate` reports them: what reading it
 * found (yaml, schema, references, duplicates), `spec.observe` bindings to
 * clusters the reconcilers cannot use (`observeViolations`), dependsOn cycles on `graph`
 * (which must hold the snapshot), and broken policies and cmdb.yaml settings
 * (those of the `sections` checks too).
 */
export async function commitViolations(options: { reader: CatalogReader; snapshot: Snapshot; graph: GraphStore; sections?: readonly ConfigSectionCheck[] }): Promise<Violation[]> {
  const { reader, snapshot, graph } = options;
  const violations: Violation[] = [...snapshot.violations, ...observeViolations(snapshot)];
  for (const members of await graph.dependencyCycles()) violations.push(cycleViolation(members, snapshot));
  violations.push(...(await checkPolicies(snapshot, { config: reader.configOf(snapshot), loader: gitSourceLoader(reader.git) })));
  violations.push(...sectionViolations(reader.configOf(snapshot), options.sections));
  return violations;
}
