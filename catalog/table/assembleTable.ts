import { referenceViolations, type DocRecord, type RelationTuple } from '../entity.ts';
import type { FileInput } from '../parseBlob.ts';
import { REVERSED_FIELDS } from '../relations.ts';
import type { Violation } from '../types.ts';
import { compareViolations, danglingViolation, declaredEnds, duplicateViolation, isSimple, withFile } from '../violations.ts';
import type { ObserveTuple } from '../observe.ts';
import { allocateTable, RELATION_TYPE_INDEX, StringTable, writeEntityRow, writeObserveRows, type SnapshotTable } from './SnapshotTable.ts';

/** An entity's record and where it was read. */
interface Defined {
  record: DocRecord;
  file: number;
  path: string;
  /** The entity id (the rank of its ref), set once every ref is known. */
  id: number;
}

/** Files in path order (git lists them so: then no sort is needed). */
function byPath(files: readonly FileInput[]): readonly FileInput[] {
  for (let i = 1; i < files.length; i++) if (!(files[i - 1].path < files[i].path)) return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

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

/**
 * The definition kept of each ref (the first in file then document order,
 * unless `definedAt` names another path); the others are duplicate violations.
 */
function keptDefinitions(ordered: readonly FileInput[], violations: Violation[], definedAt: AssembleOptions['definedAt']) {
  const defined = new Map<string, Defined>();
  const others: Defined[] = [];
  let preferred = false;
  ordered.forEach(({ path, result }, file) => {
    for (const v of result.violations) violations.push(withFile(v, path));
    for (const record of result.documents) {
      const def = { record, file, path, id: -1 };
      const first = defined.get(record.ref);
      if (!first) {
        defined.set(record.ref, def);
        continue;
      }
      const at = definedAt?.(record.ref);
      if (at !== undefined && path === at && first.path !== at) {
        defined.set(record.ref, def);
        others.push(first);
        preferred = true;
      } else others.push(def);
    }
  });
  for (const { record, path } of defined.values()) if (record.refErrors.length > 0) violations.push(...referenceViolations(record, path));
  for (const { record, path } of others) {
    const kept = defined.get(record.ref)!;
    violations.push(duplicateViolation(record.ref, path, record.namePos, { file: kept.path, line: kept.record.start[0], column: kept.record.start[1] }));
  }
  return { defined, preferred };
}

/** Refs defined but invalid in these files, as [path, ref]. */
export function invalidDefinitions(files: readonly FileInput[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const { path, result } of files) for (const ref of result.invalid ?? []) out.push([path, ref]);
  return out;
}

/**
 * Relations of the first definitions whose ends both exist, as typed rows
 * (dangling ones become violations), in file then document order.
 */
function resolveRelations(
  kept: readonly Defined[],
  defined: ReadonlyMap<string, Defined>,
  violations: Violation[],
  invalid: ReadonlySet<string>,
  external: readonly string[],
) {
  let capacity = 0;
  for (const { record } of kept) capacity += record.relations.length;
  const source = new Int32Array(capacity);
  const target = new Int32Array(capacity);
  const tuples: RelationTuple[] = new Array(capacity);
  let n = 0;
  let suppressed = 0;
  for (const { record, path, id: selfId } of kept) {
    // One end of every relation a record declares is the record itself: looked up once, not per relation.
    const self = record.ref;
    for (const tuple of record.relations) {
      const s = tuple[1] === self ? selfId : defined.get(tuple[1])?.id;
      const d = tuple[2] === self ? selfId : defined.get(tuple[2])?.id;
      if (s !== undefined && d !== undefined) {
        source[n] = s;
        target[n] = d;
        tuples[n++] = tuple;
        continue;
      }
      const relation = { type: tuple[0], source: tuple[1], target: tuple[2], field: tuple[3], location: { file: path, line: tuple[4], column: tuple[5] } };
      const other = declaredEnds(relation).other;
      if (defined.has(other)) continue;
      if (invalid.has(other)) suppressed++;
      else violations.push(danglingViolation(relation, external));
    }
  }
  return { source, target, tuples, count: n, suppressed };
}

/** The kept definitions in file then document order. */
function inFileOrder(defined: ReadonlyMap<string, Defined>, preferred: boolean): Defined[] {
  // The map holds them in that order, unless `definedAt` replaced a first definition by a later one.
  const kept = [...defined.values()];
  return preferred ? kept.sort((a, b) => a.file - b.file || a.record.index - b.record.index) : kept;
}

/**
 * Rows of the relations kept:
 * when some are declared by inverse fields, one per (type, source, target) of
 * those types, forward declarations first. All rows when none is.
 */
function keptRows(tuples: readonly RelationTuple[], source: Int32Array, target: Int32Array, count: number): number[] | undefined {
  let inverse = false;
  for (let i = 0; i < count && !inverse; i++) inverse = REVERSED_FIELDS.has(tuples[i][3]);
  if (!inverse) return undefined;
  const types = new Set<string>();
  for (let i = 0; i < count; i++) if (REVERSED_FIELDS.has(tuples[i][3])) types.add(tuples[i][0]);
  const seen = new Set<string>();
  const fresh = (i: number) => {
    const k = `${tuples[i][0]} ${source[i]} ${target[i]}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
  const rows: number[] = [];
  for (let i = 0; i < count; i++) if (!REVERSED_FIELDS.has(tuples[i][3]) && (!types.has(tuples[i][0]) || fresh(i))) rows.push(i);
  for (let i = 0; i < count; i++) if (REVERSED_FIELDS.has(tuples[i][3]) && fresh(i)) rows.push(i);
  return rows;
}

/** A commit's table and what the reader needs to know about it. */
export interface AssembledTable {
  table: SnapshotTable;
  /** True when the next commit may be derived from this one (no duplicates, no unresolved references but to external kinds, no repeated relations). */
  incremental: boolean;
  /** True when `definedAt` decided a duplicate: the table depends on the commit the change starts from. */
  preferred: boolean;
}

/**
 * The one implementation of the assembly rules: the table of a commit
 * straight from the parse results of its selected files (documents of
 * CIClass-declared kinds already resolved: `resolveClassKinds`), without
 * building entity objects. Entities: one definition per ref (see
 * keptDefinitions); relations: those of kept definitions whose ends both
 * exist, one per (type, source, target); violations: the files', reference
 * formats, duplicates, and references to entities that are neither defined
 * nor defined-but-invalid.
 */
export function assembleTable(commit: string, files: readonly FileInput[], options: AssembleOptions = {}): AssembledTable {
  const violations: Violation[] = [...(options.configViolations ?? [])];
  const ordered = byPath(files);
  const { defined, preferred } = keptDefinitions(ordered, violations, options.definedAt);
  const invalid = invalidDefinitions(ordered);
  const refs = [...defined.keys()].sort();
  const rows = refs.map((ref, id) => {
    const def = defined.get(ref)!;
    def.id = id;
    return def;
  });
  const { source, target, tuples, count, suppressed } = resolveRelations(inFileOrder(defined, preferred), defined, violations, new Set(invalid.map(([, ref]) => ref)), options.external ?? []);
  const relationRows = keptRows(tuples, source, target, count);
  const kept = relationRows?.length ?? count;
  const t = allocateTable(commit, refs.length, kept);
  t.refs = refs;
  t.paths = ordered.map((f) => f.path);
  t.blobs = ordered.map((f) => f.result.blob);
  const strings = new StringTable(t.strings);
  const observed: Array<[number, ObserveTuple]> = [];
  for (let id = 0; id < refs.length; id++) {
    const { record: r, file } = rows[id];
    writeEntityRow(t, strings, id, { file, doc: r.index, line: r.start[0], column: r.start[1], kind: r.kind, apiVersion: r.apiVersion, facts: r.facts });
    if (r.observe) for (const tuple of r.observe) observed.push([id, tuple]);
  }
  writeObserveRows(t, strings, observed);
  for (let k = 0; k < kept; k++) {
    const i = relationRows ? relationRows[k] : k;
    const tuple = tuples[i];
    t.relType[k] = RELATION_TYPE_INDEX.get(tuple[0])!;
    t.relSource[k] = source[i];
    t.relTarget[k] = target[i];
    t.relField[k] = strings.id(tuple[3]);
    t.relLine[k] = tuple[4];
    t.relColumn[k] = tuple[5];
  }
  violations.sort(compareViolations);
  t.violations = violations;
  t.invalid = invalid;
  return { table: t, incremental: isSimple(violations) && kept === count && suppressed === 0, preferred };
}
