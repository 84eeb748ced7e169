import type { ObserveTuple } from '../observe.ts';
import { RELATION_TYPES } from '../relations.ts';
import { CRITICALITIES, type Criticality, type EntityFacts, type RefString, type Relation, type Violation } from '../types.ts';

/**
 * A snapshot in columns: what graphs, diffs and policies need of 100,000
 * entities without building 100,000 objects. Entity ids are ranks of the refs
 * (code-unit order, as graph ids); file ids are ranks of the paths. Text
 * columns hold indexes into `strings` (-1: none). Entity documents are not
 * here: they are read from the parse cache by blob when an entity is asked for.
 */
export interface SnapshotTable {
  commit: string;
  refs: RefString[];
  /** Per entity: file id, document index in the file, start line and column. */
  file: Int32Array;
  doc: Int32Array;
  line: Int32Array;
  column: Int32Array;
  /** Per entity, into `strings`: declared kind and apiVersion. */
  kind: Int32Array;
  apiVersion: Int32Array;
  /** Per entity facts: index in CRITICALITIES or -1; the others into `strings` (labels as JSON). */
  criticality: Int8Array;
  owner: Int32Array;
  lifecycle: Int32Array;
  title: Int32Array;
  labels: Int32Array;
  strings: string[];
  /** Selected files of the commit, sorted, and their blob oids. */
  paths: string[];
  blobs: string[];
  /** Per relation (resolved, distinct): index in RELATION_TYPES, entity ids, field (into `strings`), position. */
  relType: Uint8Array;
  relSource: Int32Array;
  relTarget: Int32Array;
  relField: Int32Array;
  relLine: Int32Array;
  relColumn: Int32Array;
  /**
   * Per `spec.observe` entry (sorted by entity id, then entry): entity id,
   * entry index, check (index in OBSERVE_CHECKS), cluster (into `strings`,
   * -1: none), position of its `cluster` setting, 1 when the cluster is the
   * runsOn default (catalog/observe.ts).
   */
  obsEntity: Int32Array;
  obsEntry: Int32Array;
  obsCheck: Uint8Array;
  obsCluster: Int32Array;
  obsLine: Int32Array;
  obsColumn: Int32Array;
  obsImplicit: Uint8Array;
  violations: Violation[];
  /** Entities defined but invalid (schema errors), as [path, ref]: references to them are not dangling. */
  invalid: Array<[string, RefString]>;
}

export const RELATION_TYPE_INDEX: ReadonlyMap<string, number> = new Map(RELATION_TYPES.map((t, i) => [t, i]));

/** Index of `value` in a sorted array, or -1. */
export function sortedIndexOf(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** First index whose value is >= `value` in a sorted array. */
export function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > `value` in a sorted array of distinct values. */
export function upperBound(sorted: readonly string[], value: string): number {
  const i = lowerBound(sorted, value);
  return sorted[i] === value ? i + 1 : i;
}

/** Appends strings to a table, each distinct string once (or, with `indexExisting` false, once among those appended). */
export class StringTable {
  private readonly index = new Map<string, number>();
  constructor(
    readonly strings: string[] = [],
    indexExisting = true,
  ) {
    if (indexExisting) for (let i = 0; i < strings.length; i++) if (!this.index.has(strings[i])) this.index.set(strings[i], i);
  }
  /** Appends without looking for an equal string (for values that rarely repeat, such as titles). */
  append(value: string): number {
    return this.strings.push(value) - 1;
  }
  id(value: string | undefined): number {
    if (value === undefined) return -1;
    let id = this.index.get(value);
    if (id === undefined) {
      id = this.strings.push(value) - 1;
      this.index.set(value, id);
    }
    return id;
  }
  /** The id of a string added (or indexed) before, or -1. */
  find(value: string): number {
    return this.index.get(value) ?? -1;
  }
}

/** One entity's row, its facts as the table holds them (labels as JSON). */
export interface EntityColumns {
  file: number;
  doc: number;
  line: number;
  column: number;
  kind: string;
  apiVersion: string;
  /** Index in CRITICALITIES, or -1. */
  criticality: number;
  owner?: string;
  lifecycle?: string;
  title?: string;
  labels?: string;
}

/** The index of a criticality in CRITICALITIES, or -1. */
export const criticalityIndex = (c: Criticality | undefined): number => (c ? CRITICALITIES.indexOf(c) : -1);

/** Writes one entity's columns at `id` (strings added in one order: kind, apiVersion, owner, lifecycle, title, labels). */
export function writeEntityColumns(t: SnapshotTable, strings: StringTable, id: number, row: EntityColumns): void {
  t.file[id] = row.file;
  t.doc[id] = row.doc;
  t.line[id] = row.line;
  t.column[id] = row.column;
  t.kind[id] = strings.id(row.kind);
  t.apiVersion[id] = strings.id(row.apiVersion);
  t.criticality[id] = row.criticality;
  t.owner[id] = strings.id(row.owner);
  t.lifecycle[id] = strings.id(row.lifecycle);
  t.title[id] = row.title === undefined ? -1 : strings.append(row.title);
  t.labels[id] = strings.id(row.labels);
}

/** Writes one entity's columns at `id`, from its record's facts. */
export function writeEntityRow(
  t: SnapshotTable,
  strings: StringTable,
  id: number,
  row: { file: number; doc: number; line: number; column: number; kind: string; apiVersion: string; facts: EntityFacts },
): void {
  const f = row.facts;
  writeEntityColumns(t, strings, id, {
    ...row,
    criticality: criticalityIndex(f.criticality),
    owner: f.owner,
    lifecycle: f.lifecycle,
    title: f.title,
    labels: f.labels ? JSON.stringify(f.labels) : undefined,
  });
}

/** Writes relation row `i`: `rel` between entity ids `source` and `target`. */
export function writeRelationRow(t: SnapshotTable, strings: StringTable, i: number, rel: Relation, source: number, target: number): void {
  t.relType[i] = RELATION_TYPE_INDEX.get(rel.type)!;
  t.relSource[i] = source;
  t.relTarget[i] = target;
  t.relField[i] = strings.id(rel.field);
  t.relLine[i] = rel.location.line;
  t.relColumn[i] = rel.location.column;
}

/** Sets the observe columns to these rows (entity id and the record's tuple), sorted here by entity id then entry. */
export function writeObserveRows(t: SnapshotTable, strings: StringTable, rows: Array<[id: number, tuple: ObserveTuple]>): void {
  rows.sort((a, b) => a[0] - b[0] || a[1][0] - b[1][0]);
  const n = rows.length;
  t.obsEntity = new Int32Array(n);
  t.obsEntry = new Int32Array(n);
  t.obsCheck = new Uint8Array(n);
  t.obsCluster = new Int32Array(n);
  t.obsLine = new Int32Array(n);
  t.obsColumn = new Int32Array(n);
  t.obsImplicit = new Uint8Array(n);
  rows.forEach(([id, [entry, check, cluster, line, column, implicit]], i) => {
    t.obsEntity[i] = id;
    t.obsEntry[i] = entry;
    t.obsCheck[i] = check;
    t.obsCluster[i] = cluster === '' ? -1 : strings.id(cluster);
    t.obsLine[i] = line;
    t.obsColumn[i] = column;
    t.obsImplicit[i] = implicit;
  });
}

/** Observe row `i` of a table as a record's tuple. */
export function observeTupleAt(t: SnapshotTable, i: number): ObserveTuple {
  return [t.obsEntry[i], t.obsCheck[i], t.obsCluster[i] < 0 ? '' : t.strings[t.obsCluster[i]], t.obsLine[i], t.obsColumn[i], t.obsImplicit[i]];
}

/** The facts of entity `id`, equal to those its record was built with. */
export function factsAt(t: SnapshotTable, id: number): EntityFacts {
  const facts: EntityFacts = {};
  const s = t.strings;
  if (t.title[id] >= 0) facts.title = s[t.title[id]];
  if (t.criticality[id] >= 0) facts.criticality = CRITICALITIES[t.criticality[id]] as Criticality;
  if (t.lifecycle[id] >= 0) facts.lifecycle = s[t.lifecycle[id]];
  if (t.owner[id] >= 0) facts.owner = s[t.owner[id]];
  if (t.labels[id] >= 0) facts.labels = JSON.parse(s[t.labels[id]]) as Record<string, string>;
  return facts;
}

/** An empty table with room for `entities` entities and `relations` relations. */
export function allocateTable(commit: string, entities: number, relations: number): SnapshotTable {
  return {
    commit,
    refs: new Array<string>(entities),
    file: new Int32Array(entities),
    doc: new Int32Array(entities),
    line: new Int32Array(entities),
    column: new Int32Array(entities),
    kind: new Int32Array(entities),
    apiVersion: new Int32Array(entities),
    criticality: new Int8Array(entities),
    owner: new Int32Array(entities),
    lifecycle: new Int32Array(entities),
    title: new Int32Array(entities),
    labels: new Int32Array(entities),
    strings: [],
    paths: [],
    blobs: [],
    relType: new Uint8Array(relations),
    relSource: new Int32Array(relations),
    relTarget: new Int32Array(relations),
    relField: new Int32Array(relations),
    relLine: new Int32Array(relations),
    relColumn: new Int32Array(relations),
    obsEntity: new Int32Array(0),
    obsEntry: new Int32Array(0),
    obsCheck: new Uint8Array(0),
    obsCluster: new Int32Array(0),
    obsLine: new Int32Array(0),
    obsColumn: new Int32Array(0),
    obsImplicit: new Uint8Array(0),
    violations: [],
    invalid: [],
  };
}

/** String columns of a table (indexes into `strings`). */
const STRING_COLUMNS = ['kind', 'apiVersion', 'owner', 'lifecycle', 'title', 'labels', 'relField', 'obsCluster'] as const;

/**
 * Drops strings no column refers to any more (derived tables append the new
 * entities' strings and keep the old ones), renumbering the columns in place.
 * Call when `strings` has grown well past the table's size.
 */
export function compactStrings(t: SnapshotTable): void {
  const used = new Int32Array(t.strings.length).fill(-1);
  const strings: string[] = [];
  for (const name of STRING_COLUMNS) {
    const column = t[name];
    for (let i = 0; i < column.length; i++) {
      const s = column[i];
      if (s < 0) continue;
      if (used[s] < 0) used[s] = strings.push(t.strings[s]) - 1;
      column[i] = used[s];
    }
  }
  t.strings = strings;
}
