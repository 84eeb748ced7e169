import { derivedFiles, type EntityFacts, type RefString, type Snapshot } from './types.ts';

/*
 * Questions about snapshots. Those about one snapshot are members of the
 * Snapshot interface (entitiesOfKinds, factsOf, relationsOfTypes,
 * relationsTouching, rows); this file holds those about two.
 */

/** The facts of an entity: `snapshot.factsOf(ref)` (kept for callers not yet moved to the member). */
export const factsOf = (snapshot: Snapshot, ref: RefString): EntityFacts | undefined => snapshot.factsOf(ref);

/** Catalog files whose blob differs between two snapshots, sorted. */
export function changedFiles(base: Snapshot, head: Snapshot): string[] {
  const out: string[] = [];
  const touched = derivedFiles(base, head);
  const headPaths = touched ? [...touched].filter((p) => head.files.has(p)) : head.files.keys();
  for (const path of headPaths) if (base.files.get(path)?.blob !== head.files.get(path)!.blob) out.push(path);
  const basePaths = touched ? [...touched].filter((p) => base.files.has(p)) : base.files.keys();
  for (const path of basePaths) if (!head.files.has(path)) out.push(path);
  return out.sort();
}
