import { derivedFiles, type Entity, type EntityFacts, type RefString, type Relation, type RelationType, type Snapshot } from './types.ts';

/*
 * Questions about snapshots. Those about one snapshot are methods of the
 * Snapshot interface; the functions below delegate to them for callers not
 * yet moved to the methods.
 */

/** Entities of the given declared kinds, in ref order: `snapshot.entitiesOfKinds`. */
export const entitiesOfKinds = (snapshot: Snapshot, kinds: readonly string[]): Entity[] => snapshot.entitiesOfKinds(kinds);

/** The facts of an entity: `snapshot.factsOf`. */
export const factsOf = (snapshot: Snapshot, ref: RefString): EntityFacts | undefined => snapshot.factsOf(ref);

/** Relations of the given types: `snapshot.relationsOfTypes`. */
export const relationsOfTypes = (snapshot: Snapshot, types: readonly RelationType[]): Relation[] => snapshot.relationsOfTypes(types);

/** Relations with an end among `refs`: `snapshot.relationsTouching`. */
export const relationsTouching = (snapshot: Snapshot, refs: ReadonlySet<RefString>): Relation[] => snapshot.relationsTouching(refs);

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
