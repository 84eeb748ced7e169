import { derivedFiles, type Entity, type EntityChange, type Snapshot, type SnapshotDiff } from './types.ts';

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Deep equality of plain YAML values. */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

/** Dotted paths of the leaves that differ; lists compare as a whole. */
export function changedFields(before: unknown, after: unknown, prefix = ''): string[] {
  if (equal(before, after)) return [];
  if (!isPlainObject(before) || !isPlainObject(after)) return [prefix];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((k) => changedFields(before[k], after[k], prefix ? `${prefix}.${k}` : k));
}

/** The part of an entity a change is about: what its author wrote. */
const content = (e: Entity) => ({ apiVersion: e.apiVersion, kind: e.kind, metadata: e.metadata, spec: e.spec });

/** Refs that may differ between two snapshots: those of the touched files when head was derived from base, else all. */
function candidates(base: Snapshot, head: Snapshot): { headRefs: Iterable<string>; baseRefs: Iterable<string> } {
  const touched = derivedFiles(base, head);
  if (!touched) return { headRefs: head.entities.keys(), baseRefs: base.entities.keys() };
  const of = (s: Snapshot) => [...touched].flatMap((path) => s.files.get(path)?.entities ?? []);
  return { headRefs: of(head), baseRefs: of(base) };
}

/**
 * Entities added, modified (with the changed field paths) and removed between
 * two snapshots, sorted by ref. Entities read from the same blob are unchanged
 * without comparison; a moved file is not a change. When head was derived from
 * base, only the entities of the files that changed are looked at.
 */
export function diffSnapshots(base: Snapshot, head: Snapshot): SnapshotDiff {
  const changes: EntityChange[] = [];
  const { headRefs, baseRefs } = candidates(base, head);
  for (const ref of headRefs) {
    const after = head.entities.get(ref)!;
    const before = base.entities.get(ref);
    if (!before) {
      changes.push({ ref, kind: after.kind, op: 'added', file: after.source.file, fields: [], after });
      continue;
    }
    if (before === after || (before.source.blob === after.source.blob && before.source.document === after.source.document)) continue;
    const fields = changedFields(content(before), content(after));
    if (fields.length > 0) changes.push({ ref, kind: after.kind, op: 'modified', file: after.source.file, fields, before, after });
  }
  for (const ref of baseRefs) {
    if (!head.entities.has(ref)) {
      const before = base.entities.get(ref)!;
      changes.push({ ref, kind: before.kind, op: 'removed', file: before.source.file, fields: [], before });
    }
  }
  changes.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  return { base: base.commit, head: head.commit, changes };
}
