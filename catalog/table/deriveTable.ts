import { entitiesOf, type BuiltEntity } from '../entity.ts';
import type { FileInput } from '../parseBlob.ts';
import { REVERSED_FIELDS } from '../relations.ts';
import type { Relation, Snapshot, Violation } from '../types.ts';
import { compareViolations, danglingViolation, declaredEnds, duplicateViolation, isSimple, withFile } from '../violations.ts';
import { invalidDefinitions } from './assembleTable.ts';
import type { ObserveTuple } from '../observe.ts';
import { allocateTable, compactStrings, observeTupleAt, sortedIndexOf, StringTable, writeEntityRow, writeObserveRows, writeRelationRow, type SnapshotTable } from './SnapshotTable.ts';
import { TableSnapshot } from './TableSnapshot.ts';

/** Files of the head: the base's without the removed ones, plus new paths; and where each base file went. */
function mergeFiles(b: SnapshotTable, changed: readonly FileInput[], removed: ReadonlySet<string>) {
  // The base files the change touches, found by binary search: the pass over 100,000 paths then
  // compares indexes, not strings (hashing every path for a Set or Map lookup cost ~30 ms).
  const newBlob = new Map<number, string>();
  const addedBlob = new Map<string, string>();
  for (const f of changed) {
    const i = sortedIndexOf(b.paths, f.path);
    if (i >= 0) newBlob.set(i, f.result.blob);
    else addedBlob.set(f.path, f.result.blob);
  }
  const gone = new Uint8Array(b.paths.length);
  for (const p of removed) {
    const i = sortedIndexOf(b.paths, p);
    if (i >= 0) gone[i] = 1;
  }
  const added = [...addedBlob.keys()].sort();
  const paths: string[] = [];
  const blobs: string[] = [];
  const fileRemap = new Int32Array(b.paths.length).fill(-1);
  let j = 0;
  const push = (p: string) => (paths.push(p), blobs.push(addedBlob.get(p)!));
  for (let i = 0; i < b.paths.length; i++) {
    const p = b.paths[i];
    while (j < added.length && added[j] < p) push(added[j++]);
    if (gone[i]) continue;
    fileRemap[i] = paths.length;
    paths.push(p);
    blobs.push(newBlob.get(i) ?? b.blobs[i]);
  }
  while (j < added.length) push(added[j++]);
  return { paths, blobs, fileRemap };
}

/** Head refs: kept base refs merged with fresh ones; and the head id of every base entity (-1 when gone). */
function mergeRefs(b: SnapshotTable, gone: Uint8Array, fresh: readonly BuiltEntity[]) {
  const refs: string[] = [];
  const remap = new Int32Array(b.refs.length).fill(-1);
  const freshIds = new Int32Array(fresh.length);
  let j = 0;
  for (let id = 0; id < b.refs.length; id++) {
    if (gone[id]) continue;
    const ref = b.refs[id];
    while (j < fresh.length && fresh[j].entity.ref < ref) freshIds[j] = refs.push(fresh[j++].entity.ref) - 1;
    remap[id] = refs.push(ref) - 1;
  }
  while (j < fresh.length) freshIds[j] = refs.push(fresh[j++].entity.ref) - 1;
  for (let id = 0; id < b.refs.length; id++) if (gone[id]) remap[id] = sortedIndexOf(refs, b.refs[id]);
  return { refs, remap, freshIds };
}

/**
 * The entities the changed files define, sorted by ref. A second definition
 * of an entity kept from the base is a duplicate violation (the base's
 * definition stays); undefined when two changed files define the same ref
 * (a full assembly decides).
 */
function freshEntities(changed: readonly FileInput[], base: TableSnapshot, gone: Uint8Array, violations: Violation[]): BuiltEntity[] | undefined {
  const b = base.table;
  const out: BuiltEntity[] = [];
  const seen = new Set<string>();
  for (const { path, result } of changed) {
    for (const built of entitiesOf(path, result)) {
      const ref = built.entity.ref;
      if (seen.has(ref)) return undefined;
      seen.add(ref);
      const id = base.idOf(ref);
      if (id >= 0 && !gone[id]) {
        const record = result.documents.find((d) => d.index === built.entity.source.document)!;
        violations.push(duplicateViolation(ref, path, record.namePos, { file: b.paths[b.file[id]], line: b.line[id], column: b.column[id] }));
        continue;
      }
      out.push(built);
    }
  }
  return out.sort((a, b) => (a.entity.ref < b.entity.ref ? -1 : 1));
}

/** Whether an entity declared by a CIClass document is among the gone ones (its kinds must then be resolved again). */
function losesClass(b: SnapshotTable, gone: Uint8Array): boolean {
  const ciClass = b.strings.indexOf('CIClass');
  if (ciClass < 0) return false;
  for (let id = 0; id < gone.length; id++) if (gone[id] && b.kind[id] === ciClass) return true;
  return false;
}

/**
 * The table of a commit that differs from `base` only in the given files, in
 * linear passes over the base's columns: the rules of assembleTable, with the
 * base's definitions kept over new duplicates. Undefined when only a full
 * assembly gives the right answer (CIClass kinds involved, two changed files
 * defining one entity, a relation declared twice): the caller then assembles
 * in full, as when a change defines an entity that an unchanged file's
 * reference to an external kind was waiting for. `base` must be incremental
 * (no unresolved references but warnings for external kinds).
 */
export function deriveTable(
  base: TableSnapshot,
  commit: string,
  changed: readonly FileInput[],
  removed: readonly string[],
  options: { external?: readonly string[] } = {},
): { snapshot: TableSnapshot; incremental: boolean } | undefined {
  if (changed.some((f) => f.result.pending.length > 0 || f.result.documents.some((d) => d.kind === 'CIClass'))) return undefined;
  const b = base.table;
  const sorted = [...changed].sort((x, y) => (x.path < y.path ? -1 : 1));
  const touched = new Set([...removed, ...sorted.map((f) => f.path)]);
  const touchedFile = new Uint8Array(b.paths.length);
  for (const p of touched) {
    const f = base.fileIdOf(p);
    if (f >= 0) touchedFile[f] = 1;
  }
  const gone = new Uint8Array(b.refs.length);
  for (let id = 0; id < b.refs.length; id++) gone[id] = touchedFile[b.file[id]];
  if (losesClass(b, gone)) return undefined;
  const duplicates: Violation[] = [];
  const fresh = freshEntities(sorted, base, gone, duplicates);
  if (!fresh || definesAwaited(b, touched, fresh)) return undefined;
  const files = mergeFiles(b, sorted, new Set(removed));
  const { refs, remap, freshIds } = mergeRefs(b, gone, fresh);
  const freshRelations = fresh.flatMap((f) => f.relations);
  const t = allocateTable(commit, refs.length, b.relType.length + freshRelations.length);
  t.refs = refs;
  t.paths = files.paths;
  t.blobs = files.blobs;
  t.strings = b.strings.slice();
  const strings = new StringTable(t.strings, false);
  copyKeptRows(b, t, remap, gone, files.fileRemap);
  const observed: Array<[number, ObserveTuple]> = [];
  for (let i = 0; i < b.obsEntity.length; i++) if (!gone[b.obsEntity[i]]) observed.push([remap[b.obsEntity[i]], observeTupleAt(b, i)]);
  fresh.forEach(({ entity: e, observe }, k) => {
    const file = sortedIndexOf(t.paths, e.source.file);
    writeEntityRow(t, strings, freshIds[k], { file, doc: e.source.document, line: e.source.line, column: e.source.column, kind: e.kind, apiVersion: e.apiVersion, facts: e.facts });
    for (const tuple of observe) observed.push([freshIds[k], tuple]);
  });
  writeObserveRows(t, strings, observed);
  const violations: Violation[] = b.violations.filter((v) => v.file === undefined || !touched.has(v.file));
  for (const { path, result } of sorted) for (const v of result.violations) violations.push(withFile(v, path));
  for (const f of fresh) violations.push(...f.violations);
  violations.push(...duplicates);
  t.invalid = [...b.invalid.filter(([path]) => !touched.has(path)), ...invalidDefinitions(sorted)];
  const unresolved = new Unresolved(t.invalid, options.external ?? [], violations);
  let n = keepRelations(base, t, remap, touchedFile, unresolved);
  const firstFresh = n;
  for (const rel of freshRelations) {
    const s = sortedIndexOf(refs, rel.source);
    const d = sortedIndexOf(refs, rel.target);
    if (sortedIndexOf(refs, declaredEnds(rel).other) < 0) unresolved.add(rel);
    if (s < 0 || d < 0) continue;
    writeRelationRow(t, strings, n++, rel, s, d);
  }
  if (hasRepeatedRelation(t, firstFresh, n)) return undefined;
  trimRelations(t, n);
  violations.sort(compareViolations);
  t.violations = violations;
  if (t.strings.length > 2 * t.refs.length + 10_000) compactStrings(t); // strings of replaced entities pile up along a chain of derivations
  const snapshot = new TableSnapshot(t, base.records);
  snapshot.derivedFrom = { base: new WeakRef<Snapshot>(base), files: touched };
  return { snapshot, incremental: isSimple(violations) && unresolved.suppressed === 0 };
}

/** Whether a fresh entity is one a reference from an unchanged file names without finding it (its relation is not in the base's rows). */
function definesAwaited(b: SnapshotTable, touched: ReadonlySet<string>, fresh: readonly BuiltEntity[]): boolean {
  const awaited = new Set<string>();
  for (const v of b.violations) if (v.rule === 'dangling-reference' && v.target !== undefined && v.file !== undefined && !touched.has(v.file)) awaited.add(v.target);
  return awaited.size > 0 && fresh.some((f) => awaited.has(f.entity.ref));
}

/** References to entities the head lacks: dangling-reference violations, except to entities defined but invalid. */
class Unresolved {
  /** References to entities defined but invalid (no violation, no relation): the next commit must be read in full. */
  suppressed = 0;
  private readonly invalid: ReadonlySet<string>;
  constructor(
    invalid: ReadonlyArray<[string, string]>,
    private readonly external: readonly string[],
    private readonly violations: Violation[],
  ) {
    this.invalid = new Set(invalid.map(([, ref]) => ref));
  }
  add(rel: Relation): void {
    if (this.invalid.has(declaredEnds(rel).other)) this.suppressed++;
    else this.violations.push(danglingViolation(rel, this.external));
  }
}

/** Copies the columns of kept base entities to their head ids. */
function copyKeptRows(b: SnapshotTable, t: SnapshotTable, remap: Int32Array, gone: Uint8Array, fileRemap: Int32Array): void {
  for (let id = 0; id < b.refs.length; id++) {
    if (gone[id]) continue;
    const h = remap[id];
    t.file[h] = fileRemap[b.file[id]];
    t.doc[h] = b.doc[id];
    t.line[h] = b.line[id];
    t.column[h] = b.column[id];
    t.kind[h] = b.kind[id];
    t.apiVersion[h] = b.apiVersion[id];
    t.criticality[h] = b.criticality[id];
    t.owner[h] = b.owner[id];
    t.lifecycle[h] = b.lifecycle[id];
    t.title[h] = b.title[id];
    t.labels[h] = b.labels[id];
  }
}

/**
 * Copies base relations declared outside the touched files whose ends both
 * remain; those naming an entity that is gone are unresolved. Returns the
 * number written.
 */
function keepRelations(base: TableSnapshot, t: SnapshotTable, remap: Int32Array, touchedFile: Uint8Array, unresolved: Unresolved): number {
  const b = base.table;
  let n = 0;
  for (let i = 0; i < b.relType.length; i++) {
    const reversed = REVERSED_FIELDS.has(b.strings[b.relField[i]]);
    const declarer = reversed ? b.relTarget[i] : b.relSource[i];
    if (touchedFile[b.file[declarer]]) continue;
    const s = remap[b.relSource[i]];
    const d = remap[b.relTarget[i]];
    if (s < 0 || d < 0) {
      unresolved.add(base.relationAt(i)); // located in the declarer's file, untouched
      continue;
    }
    t.relType[n] = b.relType[i];
    t.relSource[n] = s;
    t.relTarget[n] = d;
    t.relField[n] = b.relField[i];
    t.relLine[n] = b.relLine[i];
    t.relColumn[n] = b.relColumn[i];
    n++;
  }
  return n;
}

/** Whether a fresh relation (rows [from, to)) repeats the type and ends of another relation. */
function hasRepeatedRelation(t: SnapshotTable, from: number, to: number): boolean {
  const key = (i: number) => `${t.relType[i]} ${t.relSource[i]} ${t.relTarget[i]}`;
  const freshKeys = new Set<string>();
  const ends = new Uint8Array(t.refs.length);
  for (let i = from; i < to; i++) {
    const k = key(i);
    if (freshKeys.has(k)) return true;
    freshKeys.add(k);
    ends[t.relSource[i]] = 1;
  }
  for (let i = 0; i < from; i++) if (ends[t.relSource[i]] && freshKeys.has(key(i))) return true;
  return false;
}

/** Shrinks the relation columns to the `n` rows written. */
function trimRelations(t: SnapshotTable, n: number): void {
  t.relType = t.relType.slice(0, n);
  t.relSource = t.relSource.slice(0, n);
  t.relTarget = t.relTarget.slice(0, n);
  t.relField = t.relField.slice(0, n);
  t.relLine = t.relLine.slice(0, n);
  t.relColumn = t.relColumn.slice(0, n);
}
