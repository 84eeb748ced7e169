import { RELATION_TYPES } from './relations.ts';
import { factsAt, lowerBound } from './table/SnapshotTable.ts';
import { tableOf } from './table/TableSnapshot.ts';
import { derivedFiles, type Entity, type EntityFacts, type RefString, type Relation, type RelationType, type Snapshot } from './types.ts';

/*
 * Questions about a snapshot that a table answers from its columns, building
 * only the entities or relations in the answer; any other snapshot is scanned.
 */

/** Entities of the given declared kinds (`ChangePolicy`, `User`), in ref order. */
export function entitiesOfKinds(snapshot: Snapshot, kinds: readonly string[]): Entity[] {
  const table = tableOf(snapshot);
  if (!table) return [...snapshot.entities.values()].filter((e) => kinds.includes(e.kind));
  const refs = table.table.refs;
  const out: Entity[] = [];
  for (const kind of [...new Set(kinds.map((k) => k.toLowerCase()))].sort()) {
    const end = lowerBound(refs, `${kind};`); // ';' follows ':'
    for (let id = lowerBound(refs, `${kind}:`); id < end; id++) {
      const entity = table.entityAt(id);
      if (kinds.includes(entity.kind)) out.push(entity);
    }
  }
  return out.sort((a, b) => (a.ref < b.ref ? -1 : 1));
}

/** The facts of an entity without building it when the snapshot has a table. */
export function factsOf(snapshot: Snapshot, ref: RefString): EntityFacts | undefined {
  const table = tableOf(snapshot);
  if (!table) return snapshot.entities.get(ref)?.facts;
  const id = table.idOf(ref);
  return id < 0 ? undefined : factsAt(table.table, id);
}

/** Relations of the given types, as plain values. */
export function relationsOfTypes(snapshot: Snapshot, types: readonly RelationType[]): Relation[] {
  const table = tableOf(snapshot);
  if (!table) return snapshot.relations.filter((r) => types.includes(r.type));
  const wanted = new Uint8Array(RELATION_TYPES.length);
  for (const t of types) wanted[RELATION_TYPES.indexOf(t)] = 1;
  const out: Relation[] = [];
  const t = table.table;
  for (let i = 0; i < t.relType.length; i++) if (wanted[t.relType[i]]) out.push(table.relationAt(i));
  return out;
}

/** Relations with an end among `refs`. */
export function relationsTouching(snapshot: Snapshot, refs: ReadonlySet<RefString>): Relation[] {
  const table = tableOf(snapshot);
  if (!table) return snapshot.relations.filter((r) => refs.has(r.source) || refs.has(r.target));
  const t = table.table;
  const mark = new Uint8Array(t.refs.length);
  for (const ref of refs) {
    const id = table.idOf(ref);
    if (id >= 0) mark[id] = 1;
  }
  const out: Relation[] = [];
  for (let i = 0; i < t.relType.length; i++) if (mark[t.relSource[i]] || mark[t.relTarget[i]]) out.push(table.relationAt(i));
  return out;
}

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
