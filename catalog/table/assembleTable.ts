import { compareViolations, danglingViolation, declaredEnds, duplicateViolation, isSimple, withFile, type FileInput } from '../assemble.ts';
import { referenceViolations, type DocRecord, type RelationTuple } from '../entity.ts';
import { REVERSED_FIELDS } from '../relations.ts';
import type { Violation } from '../types.ts';
import { allocateTable, RELATION_TYPE_INDEX, StringTable, writeEntityRow, type SnapshotTable } from './SnapshotTable.ts';

/** An entity's record and where it was read. */
interface Defined {
  record: DocRecord;
  file: number;
  path: string;
}

/** Files in path order (git lists them so: then no sort is needed). */
function byPath(files: readonly FileInput[]): readonly FileInput[] {
  for (let i = 1; i < files.length; i++) if (!(files[i - 1].path < files[i].path)) return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

/** The first definition of each ref, in file then document order; later ones are duplicate violations. */
function firstDefinitions(ordered: readonly FileInput[], violations: Violation[]): Map<string, Defined> {
  const defined = new Map<string, Defined>();
  ordered.forEach(({ path, result }, file) => {
    for (const v of result.violations) violations.push(withFile(v, path));
    for (const record of result.documents) {
      const first = defined.get(record.ref);
      if (first) {
        const [line, column] = first.record.start;
        violations.push(duplicateViolation(record.ref, path, record.namePos, { file: first.path, line, column }));
        continue;
      }
      defined.set(record.ref, { record, file, path });
      violations.push(...referenceViolations(record, path));
    }
  });
  return defined;
}

/**
 * Relations of the first definitions whose ends both exist, as typed rows
 * (dangling ones become violations), in file then document order.
 */
function resolveRelations(ordered: readonly FileInput[], defined: ReadonlyMap<string, Defined>, ids: ReadonlyMap<string, number>, violations: Violation[]) {
  let capacity = 0;
  for (const { result } of ordered) for (const r of result.documents) capacity += r.relations.length;
  const source = new Int32Array(capacity);
  const target = new Int32Array(capacity);
  const tuples: RelationTuple[] = new Array(capacity);
  let n = 0;
  for (const { path, result } of ordered) {
    for (const record of result.documents) {
      if (defined.get(record.ref)?.record !== record) continue;
      for (const tuple of record.relations) {
        const s = ids.get(tuple[1]);
        const d = ids.get(tuple[2]);
        if (s !== undefined && d !== undefined) {
          source[n] = s;
          target[n] = d;
          tuples[n++] = tuple;
          continue;
        }
        const relation = { type: tuple[0], source: tuple[1], target: tuple[2], field: tuple[3], location: { file: path, line: tuple[4], column: tuple[5] } };
        if (!ids.has(declaredEnds(relation).other)) violations.push(danglingViolation(relation));
      }
    }
  }
  return { source, target, tuples, count: n };
}

/**
 * Rows of the relations kept, as assembleSnapshot keeps them (uniqueEdges):
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

/**
 * The table of a commit straight from the parse results of its selected files,
 * without building entity objects: the same entities, relations and violations
 * as assembleSnapshot. Only for commits without documents of CIClass-declared
 * kinds (the caller checks `pending`). `incremental` as in Assembly.
 */
export function assembleTable(commit: string, files: readonly FileInput[], configViolations: readonly Violation[] = []): { table: SnapshotTable; incremental: boolean } {
  const violations: Violation[] = [...configViolations];
  const ordered = byPath(files);
  const defined = firstDefinitions(ordered, violations);
  const refs = [...defined.keys()].sort();
  const ids = new Map<string, number>();
  for (let i = 0; i < refs.length; i++) ids.set(refs[i], i);
  const { source, target, tuples, count } = resolveRelations(ordered, defined, ids, violations);
  const rows = keptRows(tuples, source, target, count);
  const kept = rows?.length ?? count;
  const t = allocateTable(commit, refs.length, kept);
  t.refs = refs;
  t.paths = ordered.map((f) => f.path);
  t.blobs = ordered.map((f) => f.result.blob);
  const strings = new StringTable(t.strings);
  for (let id = 0; id < refs.length; id++) {
    const { record: r, file } = defined.get(refs[id])!;
    writeEntityRow(t, strings, id, { file, doc: r.index, line: r.start[0], column: r.start[1], kind: r.kind, apiVersion: r.apiVersion, facts: r.facts });
  }
  for (let k = 0; k < kept; k++) {
    const i = rows ? rows[k] : k;
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
  return { table: t, incremental: isSimple(violations) && kept === count };
}
