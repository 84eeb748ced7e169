import type { Entity, RefString, Relation, Violation } from '../types.ts';
import { observeTuples, type ObserveTuple } from '../observe.ts';
import { allocateTable, sortedIndexOf, StringTable, writeEntityRow, writeObserveRows, writeRelationRow } from './SnapshotTable.ts';
import { TableSnapshot } from './TableSnapshot.ts';

/** What a snapshot is made of when it is not read from a repository (tests, benchmarks, an empty graph). */
export interface SnapshotObjects {
  commit: string;
  entities?: Iterable<Entity>;
  /** Relations between the entities; those with an end that is not one of them are left out, repeats kept once. */
  relations?: Iterable<Relation>;
  /** Paths and blobs of files without entities (files with entities come from the entities' sources). */
  files?: Iterable<{ path: string; blob: string }>;
  violations?: readonly Violation[];
}

/**
 * A snapshot of given entity objects and relations, laid out in the same
 * table as a snapshot read from a repository (no assembly rules applied: the
 * entities must have distinct refs). Throws on a repeated ref: a bug in the caller.
 */
export function snapshotFromObjects(objects: SnapshotObjects): TableSnapshot {
  const byRef = new Map<RefString, Entity>();
  for (const e of objects.entities ?? []) {
    if (byRef.has(e.ref)) throw new Error(`snapshotFromObjects: ${e.ref} given twice`);
    byRef.set(e.ref, e);
  }
  const blobs = new Map<string, string>();
  for (const f of objects.files ?? []) blobs.set(f.path, f.blob);
  for (const e of byRef.values()) if (!blobs.has(e.source.file)) blobs.set(e.source.file, e.source.blob);
  const refs = [...byRef.keys()].sort();
  const kept: Array<[Relation, number, number]> = [];
  const seen = new Set<string>();
  for (const r of objects.relations ?? []) {
    const s = sortedIndexOf(refs, r.source);
    const d = sortedIndexOf(refs, r.target);
    const key = `${r.type} ${s} ${d}`;
    if (s < 0 || d < 0 || seen.has(key)) continue;
    seen.add(key);
    kept.push([r, s, d]);
  }
  const t = allocateTable(objects.commit, refs.length, kept.length);
  const strings = new StringTable(t.strings);
  t.refs = refs;
  t.paths = [...blobs.keys()].sort();
  t.blobs = t.paths.map((p) => blobs.get(p)!);
  const observed: Array<[number, ObserveTuple]> = [];
  refs.forEach((ref, id) => {
    const e = byRef.get(ref)!;
    const file = sortedIndexOf(t.paths, e.source.file);
    writeEntityRow(t, strings, id, { file, doc: e.source.document, line: e.source.line, column: e.source.column, kind: e.kind, apiVersion: e.apiVersion, facts: e.facts });
    for (const tuple of observeTuples(e.spec, e.positions ?? {}, [e.source.line, e.source.column])) observed.push([id, tuple]);
  });
  writeObserveRows(t, strings, observed);
  kept.forEach(([r, s, d], i) => writeRelationRow(t, strings, i, r, s, d));
  t.violations = [...(objects.violations ?? [])];
  return new TableSnapshot(t, byRef);
}
