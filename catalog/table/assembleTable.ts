import { compareViolations, isSimple, withFile, type FileInput } from '../assemble.ts';
import type { DocRecord, RelationTuple } from '../entity.ts';
import { RELATION_RULES } from '../relations.ts';
import type { Violation } from '../types.ts';
import { allocateTable, RELATION_TYPE_INDEX, StringTable, writeEntityRow, type SnapshotTable } from './SnapshotTable.ts';

const REVERSED = new Set(RELATION_RULES.filter((r) => r.reversed).map((r) => r.field));

/** An entity's record and where it was read. */
interface Defined {
  record: DocRecord;
  file: number;
  path: string;
}

/** The first definition of each ref, in file then document order; later ones are duplicate violations. */
function firstDefinitions(ordered: readonly FileInput[], violations: Violation[]): Map<string, Defined> {
  const defined = new Map<string, Defined>();
  ordered.forEach(({ path, result }, file) => {
    for (const v of result.violations) violations.push(withFile(v, path));
    for (const record of result.documents) {
      const first = defined.get(record.ref);
      if (first) {
        const [line, column] = record.namePos;
        violations.push({
          rule: 'duplicate',
          severity: 'error',
          message: `${record.ref} is already defined at ${first.path}:${first.record.start[0]}:${first.record.start[1]} (names are unique per kind and namespace, case-insensitive)`,
          ref: record.ref,
          file: path,
          line,
          column,
        });
        continue;
      }
      defined.set(record.ref, { record, file, path });
      for (const [message, line, column] of record.refErrors) violations.push({ rule: 'reference', severity: 'error', message, ref: record.ref, file: path, line, column });
    }
  });
  return defined;
}

/** A declared relation and where. */
interface Declared {
  tuple: RelationTuple;
  path: string;
}

/**
 * The relations kept, as assembleSnapshot keeps them (uniqueEdges): when some
 * are declared by inverse fields, one per (type, source, target) of those
 * types, forward declarations first.
 */
function uniqueDeclared(resolved: Declared[]): Declared[] {
  const inverse = resolved.filter((d) => REVERSED.has(d.tuple[3]));
  if (inverse.length === 0) return resolved;
  const types = new Set(inverse.map((d) => d.tuple[0]));
  const seen = new Set<string>();
  const fresh = (d: Declared) => {
    const k = `${d.tuple[0]}\0${d.tuple[1]}\0${d.tuple[2]}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
  const forward = resolved.filter((d) => !REVERSED.has(d.tuple[3]) && (!types.has(d.tuple[0]) || fresh(d)));
  return [...forward, ...inverse.filter(fresh)];
}

/**
 * The table of a commit straight from the parse results of its selected files,
 * without building entity objects: the same entities, relations and violations
 * as assembleSnapshot. Only for commits without documents of CIClass-declared
 * kinds (the caller checks `pending`). `incremental` as in Assembly.
 */
export function assembleTable(commit: string, files: readonly FileInput[], configViolations: readonly Violation[] = []): { table: SnapshotTable; incremental: boolean } {
  const violations: Violation[] = [...configViolations];
  const ordered = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const defined = firstDefinitions(ordered, violations);
  const refs = [...defined.keys()].sort();
  const ids = new Map<string, number>();
  for (let i = 0; i < refs.length; i++) ids.set(refs[i], i);
  const resolved: Declared[] = [];
  for (const { path, result } of ordered) {
    for (const record of result.documents) {
      if (defined.get(record.ref)?.record !== record) continue;
      for (const tuple of record.relations) {
        const other = REVERSED.has(tuple[3]) ? tuple[1] : tuple[2];
        if (!ids.has(other)) {
          violations.push({ rule: 'dangling-reference', severity: 'error', message: `spec.${tuple[3]} refers to ${other}, which does not exist`, ref: record.ref, target: other, file: path, line: tuple[4], column: tuple[5] });
        } else if (ids.has(tuple[1]) && ids.has(tuple[2])) resolved.push({ tuple, path });
      }
    }
  }
  const kept = uniqueDeclared(resolved);
  const t = allocateTable(commit, refs.length, kept.length);
  t.refs = refs;
  t.paths = ordered.map((f) => f.path);
  t.blobs = ordered.map((f) => f.result.blob);
  const strings = new StringTable(t.strings);
  refs.forEach((ref, id) => {
    const { record: r, file } = defined.get(ref)!;
    writeEntityRow(t, strings, id, { file, doc: r.index, line: r.start[0], column: r.start[1], kind: r.kind, apiVersion: r.apiVersion, facts: r.facts });
  });
  kept.forEach(({ tuple }, i) => {
    t.relType[i] = RELATION_TYPE_INDEX.get(tuple[0])!;
    t.relSource[i] = ids.get(tuple[1])!;
    t.relTarget[i] = ids.get(tuple[2])!;
    t.relField[i] = strings.id(tuple[3]);
    t.relLine[i] = tuple[4];
    t.relColumn[i] = tuple[5];
  });
  violations.sort(compareViolations);
  t.violations = violations;
  return { table: t, incremental: isSimple(violations) && kept.length === resolved.length };
}
