import { referenceViolations, type DocRecord } from '../entity.ts';
import type { BlobResult, FileInput } from '../parseBlob.ts';
import { RELATION_TYPES, REVERSED_FIELDS } from '../relations.ts';
import type { Violation } from '../types.ts';
import { compareViolations, danglingViolation, declaredEnds, duplicateViolation, isSimple, withFile } from '../violations.ts';
import type { ObserveTuple } from '../observe.ts';
import { allocateTable, criticalityIndex, RELATION_TYPE_INDEX, StringTable, writeEntityColumns, writeObserveRows, type SnapshotTable } from './SnapshotTable.ts';

/** What assembling a commit needs besides its files. */
export interface AssembleOptions {
  /** Problems found before the files (cmdb.yaml, CIClass definitions). */
  configViolations?: readonly Violation[];
  /** Kinds whose entities may live outside the repository (cmdb.yaml `references.external`): a reference to a missing one is a warning. */
  external?: readonly string[];
  /**
   * Where the commit a change starts from defines a ref: of two definitions,
   * the one at that path is kept (a change that adds a second definition of
   * an existing entity is blamed for it), else the first by path.
   */
  definedAt?: (ref: string) => string | undefined;
}

/** A commit's table and what the reader needs to know about it. */
export interface AssembledTable {
  table: SnapshotTable;
  /** True when the next commit may be derived from this one (no duplicates, no unresolved references but to external kinds, no repeated relations). */
  incremental: boolean;
  /** True when `definedAt` decided a duplicate: the table depends on the commit the change starts from. */
  preferred: boolean;
}

/** Refs defined but invalid in these files, as [path, ref]. */
export function invalidDefinitions(files: readonly FileInput[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const { path, result } of files) for (const ref of result.invalid ?? []) out.push([path, ref]);
  return out;
}

/** A growable column of 32-bit integers (off the JavaScript heap: the garbage collector never copies or scans it). */
class IntColumn {
  data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
}

/**
 * The one implementation of the assembly rules: a commit's table from the
 * parse results of its selected files (documents of CIClass-declared kinds
 * already resolved: `resolveClassKinds`), without building entity objects.
 * Entities: one definition per ref (the first in file then document order,
 * unless `definedAt` names another path; the others are duplicate
 * violations); relations: those of kept definitions whose ends both exist, one
 * per (type, source, target); violations: the files', reference formats,
 * duplicates, and references to entities that are neither defined nor
 * defined-but-invalid.
 *
 * Results are added as they are parsed, in any order (`add`): each is folded
 * into integer columns and interned strings at once, so the records need not
 * outlive their batch (100,000 results kept alive until the end are ~2.7
 * million objects the garbage collector copies at every scavenge:
 * BENCHMARKS.md), and the work runs while the parser threads still parse.
 * `finish` then applies the rules, which depend on file order, in file order.
 */
export class TableAssembler {
  /** Paths in path order; `rank[i]` is the file id of the i-th path given. */
  private readonly paths: string[];
  private readonly rank: Int32Array;
  private readonly added: Uint8Array;
  /** Per file id: its blob oid. */
  private readonly blobs: string[];
  /** Refs, defined or referred to, numbered as first seen. */
  /** Distinct strings numbered in the order first seen. */
  private readonly refs = new StringTable();
  /** Every other string a row holds (kinds, apiVersions, owners, lifecycles, labels, fields). */
  private readonly strings = new StringTable();
  private readonly titles: string[] = [];
  /** Per file id: its first definition row and how many it has (documents in order). */
  private readonly fileFirst: Int32Array;
  private readonly fileCount: Int32Array;
  private readonly fileViolations = new Map<number, Violation[]>();
  private readonly fileInvalid = new Map<number, string[]>();
  /** Definition rows, in the order added. */
  private readonly def = {
    ref: new IntColumn(),
    file: new IntColumn(),
    doc: new IntColumn(),
    line: new IntColumn(),
    column: new IntColumn(),
    nameLine: new IntColumn(),
    nameColumn: new IntColumn(),
    kind: new IntColumn(),
    apiVersion: new IntColumn(),
    criticality: new IntColumn(),
    owner: new IntColumn(),
    lifecycle: new IntColumn(),
    title: new IntColumn(),
    labels: new IntColumn(),
    /** Its first relation row (its relations end where the next row's begin). */
    relations: new IntColumn(),
  };
  /** The few rows with malformed references or `spec.observe` entries. */
  private readonly refErrors = new Map<number, DocRecord['refErrors']>();
  private readonly observe = new Map<number, ObserveTuple[]>();
  /** Relation rows, in the order added: type (index in RELATION_TYPES), ends (ref numbers), field, position. */
  private readonly rel = { type: new IntColumn(), source: new IntColumn(), target: new IntColumn(), field: new IntColumn(), line: new IntColumn(), column: new IntColumn() };

  /** `paths`: the selected files of the commit (any order; a file is named by its index here). */
  constructor(paths: readonly string[]) {
    const order = paths.map((_, i) => i);
    let sorted = true;
    for (let i = 1; i < paths.length && sorted; i++) sorted = paths[i - 1] < paths[i];
    if (!sorted) order.sort((a, b) => (paths[a] < paths[b] ? -1 : paths[a] > paths[b] ? 1 : 0));
    this.paths = order.map((i) => paths[i]);
    this.rank = new Int32Array(paths.length);
    order.forEach((given, r) => (this.rank[given] = r));
    this.added = new Uint8Array(paths.length);
    this.blobs = new Array<string>(paths.length);
    this.fileFirst = new Int32Array(paths.length);
    this.fileCount = new Int32Array(paths.length);
  }

  /** Folds in the parse result of the file given at index `file` (once per file). */
  add(file: number, result: BlobResult): void {
    const f = this.rank[file];
    if (this.added[f]) throw new Error(`file ${this.paths[f]} added twice`);
    this.added[f] = 1;
    this.blobs[f] = result.blob;
    const path = this.paths[f];
    if (result.violations.length > 0) this.fileViolations.set(f, result.violations.map((v) => withFile(v, path)));
    if (result.invalid?.length) this.fileInvalid.set(f, result.invalid);
    const def = this.def;
    this.fileFirst[f] = def.ref.length;
    this.fileCount[f] = result.documents.length;
    for (const record of result.documents) {
      const row = def.ref.length;
      const self = this.refs.id(record.ref);
      def.ref.push(self);
      def.file.push(f);
      def.doc.push(record.index);
      def.line.push(record.start[0]);
      def.column.push(record.start[1]);
      def.nameLine.push(record.namePos[0]);
      def.nameColumn.push(record.namePos[1]);
      def.kind.push(this.strings.id(record.kind));
      def.apiVersion.push(this.strings.id(record.apiVersion));
      const facts = record.facts;
      def.criticality.push(criticalityIndex(facts.criticality));
      def.owner.push(this.strings.id(facts.owner));
      def.lifecycle.push(this.strings.id(facts.lifecycle));
      def.title.push(facts.title === undefined ? -1 : this.titles.push(facts.title) - 1);
      def.labels.push(facts.labels ? this.strings.id(JSON.stringify(facts.labels)) : -1);
      def.relations.push(this.rel.type.length);
      if (record.refErrors.length > 0) this.refErrors.set(row, record.refErrors);
      if (record.observe) this.observe.set(row, record.observe);
      const rel = this.rel;
      for (const tuple of record.relations) {
        rel.type.push(RELATION_TYPE_INDEX.get(tuple[0])!);
        // One end is the record itself (the same string): numbered once, not per relation.
        rel.source.push(tuple[1] === record.ref ? self : this.refs.id(tuple[1]));
        rel.target.push(tuple[2] === record.ref ? self : this.refs.id(tuple[2]));
        rel.field.push(this.strings.id(tuple[3]));
        rel.line.push(tuple[4]);
        rel.column.push(tuple[5]);
      }
    }
  }

  /** Definition rows in file then document order. */
  private rowsInFileOrder(): Int32Array {
    const order = new Int32Array(this.def.ref.length);
    let n = 0;
    for (let f = 0; f < this.paths.length; f++) {
      if (!this.added[f]) throw new Error(`no parse result for ${this.paths[f]}`);
      for (let k = 0; k < this.fileCount[f]; k++) order[n++] = this.fileFirst[f] + k;
    }
    return order;
  }

  /** Applies the rules to everything added: every file must have been. */
  finish(commit: string, options: AssembleOptions = {}): AssembledTable {
    const { paths, def, rel } = this;
    const violations: Violation[] = [...(options.configViolations ?? [])];
    const order = this.rowsInFileOrder();
    for (let f = 0; f < paths.length; f++) {
      const own = this.fileViolations.get(f);
      if (own) for (const v of own) violations.push(v);
    }

    // The definition kept of each ref: the first in file order, unless `definedAt` names another path.
    const refs = this.refs.strings;
    const kept = new Int32Array(refs.length).fill(-1);
    const firstSeen: number[] = [];
    const others: number[] = [];
    let preferred = false;
    for (let i = 0; i < order.length; i++) {
      const row = order[i];
      const r = def.ref.data[row];
      const first = kept[r];
      if (first < 0) {
        kept[r] = row;
        firstSeen.push(r);
        continue;
      }
      const at = options.definedAt?.(refs[r]);
      if (at !== undefined && paths[def.file.data[row]] === at && paths[def.file.data[first]] !== at) {
        kept[r] = row;
        others.push(first);
        preferred = true;
      } else others.push(row);
    }
    for (const r of firstSeen) {
      const errors = this.refErrors.get(kept[r]);
      if (errors) violations.push(...referenceViolations({ ref: refs[r], refErrors: errors } as DocRecord, paths[def.file.data[kept[r]]]));
    }
    for (const row of others) {
      const ref = refs[def.ref.data[row]];
      const first = kept[def.ref.data[row]];
      const at = { file: paths[def.file.data[first]], line: def.line.data[first], column: def.column.data[first] };
      violations.push(duplicateViolation(ref, paths[def.file.data[row]], [def.nameLine.data[row], def.nameColumn.data[row]], at));
    }
    const invalid: Array<[string, string]> = [];
    for (let f = 0; f < paths.length; f++) for (const ref of this.fileInvalid.get(f) ?? []) invalid.push([paths[f], ref]);

    // Entity ids: ranks of the defined refs.
    const defined = firstSeen.map((r) => refs[r]).sort();
    const id = new Int32Array(refs.length).fill(-1);
    for (let i = 0; i < defined.length; i++) id[this.refs.find(defined[i])] = i;

    const relations = this.resolveRelations(order, kept, id, new Set(invalid.map(([, ref]) => ref)), options.external ?? [], violations);
    const rows = this.keptRelations(relations);
    const count = rows?.length ?? relations.count;

    const t = allocateTable(commit, defined.length, count);
    t.refs = defined;
    t.paths = paths;
    // A packed copy (made by map over a packed array: Array.from keeps holes' kind): the array filled out of order is holey,
    // which v8.serialize stores as a sparse array (larger, slower to load).
    t.blobs = paths.map((_, f) => this.blobs[f]);
    const strings = new StringTable(t.strings);
    const s = this.strings.strings;
    const text = (i: number) => (i < 0 ? undefined : s[i]);
    const observed: Array<[number, ObserveTuple]> = [];
    for (let e = 0; e < defined.length; e++) {
      const row = kept[this.refs.find(defined[e])];
      const title = def.title.data[row];
      writeEntityColumns(t, strings, e, {
        file: def.file.data[row],
        doc: def.doc.data[row],
        line: def.line.data[row],
        column: def.column.data[row],
        kind: s[def.kind.data[row]],
        apiVersion: s[def.apiVersion.data[row]],
        criticality: def.criticality.data[row],
        owner: text(def.owner.data[row]),
        lifecycle: text(def.lifecycle.data[row]),
        title: title < 0 ? undefined : this.titles[title],
        labels: text(def.labels.data[row]),
      });
      const entries = this.observe.get(row);
      if (entries) for (const tuple of entries) observed.push([e, tuple]);
    }
    writeObserveRows(t, strings, observed);
    for (let k = 0; k < count; k++) {
      const i = rows ? rows[k] : k;
      const from = relations.row[i];
      t.relType[k] = rel.type.data[from];
      t.relSource[k] = relations.source[i];
      t.relTarget[k] = relations.target[i];
      t.relField[k] = strings.id(s[rel.field.data[from]]);
      t.relLine[k] = rel.line.data[from];
      t.relColumn[k] = rel.column.data[from];
    }
    violations.sort(compareViolations);
    t.violations = violations;
    t.invalid = invalid;
    return { table: t, incremental: isSimple(violations) && count === relations.count && relations.suppressed === 0, preferred };
  }

  /** Relation rows of the kept definitions, in file then document order, whose ends both exist (as entity ids); dangling ones become violations. */
  private resolveRelations(order: Int32Array, kept: Int32Array, id: Int32Array, invalid: ReadonlySet<string>, external: readonly string[], violations: Violation[]) {
    const { def, rel, paths } = this;
    const refs = this.refs.strings;
    const total = rel.type.length;
    const row = new Int32Array(total);
    const source = new Int32Array(total);
    const target = new Int32Array(total);
    let count = 0;
    let suppressed = 0;
    for (let i = 0; i < order.length; i++) {
      const d = order[i];
      if (kept[def.ref.data[d]] !== d) continue;
      const end = d + 1 < def.ref.length ? def.relations.data[d + 1] : total;
      for (let j = def.relations.data[d]; j < end; j++) {
        const s = id[rel.source.data[j]];
        const t = id[rel.target.data[j]];
        if (s >= 0 && t >= 0) {
          row[count] = j;
          source[count] = s;
          target[count++] = t;
          continue;
        }
        const relation = {
          type: RELATION_TYPES[rel.type.data[j]],
          source: refs[rel.source.data[j]],
          target: refs[rel.target.data[j]],
          field: this.strings.strings[rel.field.data[j]],
          location: { file: paths[def.file.data[d]], line: rel.line.data[j], column: rel.column.data[j] },
        };
        const other = declaredEnds(relation).other;
        const o = this.refs.find(other);
        if (o >= 0 && kept[o] >= 0) continue;
        if (invalid.has(other)) suppressed++;
        else violations.push(danglingViolation(relation, external));
      }
    }
    return { row, source, target, count, suppressed };
  }

  /**
   * Of the resolved relations, the rows kept: when some are declared by
   * inverse fields, one per (type, source, target) of those types, forward
   * declarations first. All (undefined) when none is.
   */
  private keptRelations({ row, source, target, count }: { row: Int32Array; source: Int32Array; target: Int32Array; count: number }): number[] | undefined {
    const reversed = this.strings.strings.map((field) => REVERSED_FIELDS.has(field));
    const type = (i: number) => this.rel.type.data[row[i]];
    const inverse = (i: number) => reversed[this.rel.field.data[row[i]]];
    let any = false;
    for (let i = 0; i < count && !any; i++) any = inverse(i);
    if (!any) return undefined;
    const types = new Set<number>();
    for (let i = 0; i < count; i++) if (inverse(i)) types.add(type(i));
    const seen = new Set<string>();
    const fresh = (i: number) => {
      const k = `${type(i)} ${source[i]} ${target[i]}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    };
    const rows: number[] = [];
    for (let i = 0; i < count; i++) if (!inverse(i) && (!types.has(type(i)) || fresh(i))) rows.push(i);
    for (let i = 0; i < count; i++) if (inverse(i) && fresh(i)) rows.push(i);
    return rows;
  }
}

/** `TableAssembler` over files all parsed already. */
export function assembleTable(commit: string, files: readonly FileInput[], options: AssembleOptions = {}): AssembledTable {
  const assembler = new TableAssembler(files.map((f) => f.path));
  files.forEach((f, i) => assembler.add(i, f.result));
  return assembler.finish(commit, options);
}
