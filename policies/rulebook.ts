import type { Entity, Snapshot, Violation } from '../catalog/types.ts';
import { builtinPolicies } from './builtin.ts';
import { compiledPolicy, compiledWindow, type Compiled } from './compile.ts';
import { parseChangeManagement, type ChangeManagementConfig, type CmdbYaml } from './config.ts';
import { placeViolations, type PendingViolation, type SourceLoader } from './positions.ts';
import type { Policy, Window } from './types.ts';

/** The change-management rules of one commit: cmdb.yaml settings, policies (built-ins included), windows. */
export interface Rulebook {
  config: ChangeManagementConfig;
  /** Built-ins not overridden, then the config repo's, sorted by name. */
  policies: Policy[];
  windows: Window[];
  /** Problems of the commit's policy and window definitions, and of cmdb.yaml's changeManagement section (already placed). */
  problems: PendingViolation[];
}

export const POLICY_KIND = 'ChangePolicy';
export const WINDOW_KIND = 'ChangeWindow';

/** Pending violations for an entity's definition problems. */
function problemsOf(entity: Entity, compiled: Compiled<unknown>): PendingViolation[] {
  return compiled.problems.map((p) => ({
    violation: { rule: p.rule, severity: p.severity, message: p.message, ref: entity.ref },
    at: { entity, pointer: p.pointer, offset: p.offset },
  }));
}

/** Policy and window entities of a snapshot, compiled (memoized per entity). */
export function compileSnapshotDefinitions(snapshot: Snapshot): { policies: Policy[]; windows: Window[]; problems: PendingViolation[] } {
  const policies: Policy[] = [];
  const windows: Window[] = [];
  const problems: PendingViolation[] = [];
  for (const entity of snapshot.entitiesOfKinds([POLICY_KIND, WINDOW_KIND])) {
    if (entity.kind === POLICY_KIND) {
      const c = compiledPolicy(entity);
      problems.push(...problemsOf(entity, c));
      if (c.definition) policies.push(c.definition);
    } else if (entity.kind === WINDOW_KIND) {
      const c = compiledWindow(entity);
      problems.push(...problemsOf(entity, c));
      if (c.definition) windows.push(c.definition);
    }
  }
  return { policies, windows, problems };
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
const memo = new WeakMap<Snapshot, Rulebook>();

/**
 * The rulebook of a snapshot, with `cmdb` its cmdb.yaml (`CatalogReader.configOf`:
 * the document and its positions). A config-repo policy whose name is a
 * built-in's (case-insensitive) replaces that built-in.
 */
export function rulebookOf(snapshot: Snapshot, cmdb: CmdbYaml = { raw: {} }): Rulebook {
  const hit = memo.get(snapshot);
  if (hit) return hit;
  const { config, violations } = parseChangeManagement(cmdb);
  const own = compileSnapshotDefinitions(snapshot);
  const overridden = new Set(own.policies.map((p) => p.name.toLowerCase()));
  const policies = [...builtinPolicies(config).filter((p) => !overridden.has(p.name.toLowerCase())), ...own.policies.sort(byName)];
  const book: Rulebook = {
    config,
    policies,
    windows: own.windows.sort(byName),
    problems: [...violations.map((violation) => ({ violation })), ...own.problems],
  };
  memo.set(snapshot, book);
  return book;
}

/**
 * Type-checks every ChangePolicy and ChangeWindow of a snapshot (and cmdb.yaml's
 * changeManagement section): the violations, at file, line and column. For
 * `cmdb validate` and catalog loading; `config` is the snapshot's cmdb.yaml
 * (`CatalogReader.configOf`), `loader` gives exact positions inside CEL
 * expressions. `raw` alone (the document without its positions) puts
 * cmdb.yaml problems at 1:1.
 */
export async function checkPolicies(snapshot: Snapshot, options: { config?: CmdbYaml; raw?: Record<string, unknown>; loader?: SourceLoader } = {}): Promise<Violation[]> {
  return placeViolations(rulebookOf(snapshot, options.config ?? { raw: options.raw ?? {} }).problems, options.loader);
}
