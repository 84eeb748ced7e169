import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { parseBlob, type FileInput } from '../../catalog/parseBlob.ts';
import { REVERSED_FIELDS } from '../../catalog/relations.ts';
import type { Snapshot, Violation } from '../../catalog/types.ts';

/*
 * A naive model of the assembly rules, written for clarity, not speed: what
 * every snapshot of a commit must show, whatever its representation. Tests
 * compare snapshots against it so that they can fail.
 */

/** What a snapshot shows, as plain values. */
export interface CatalogView {
  /** ref -> [file, document index] */
  entities: Record<string, [string, number]>;
  /** One per (type, source, target): `type source target field file:line:column`, sorted. */
  relations: string[];
  /** [path, blob, refs in document order], sorted by path. */
  files: Array<[string, string, string[]]>;
  violations: Violation[];
}

export interface ModelOptions {
  external?: readonly string[];
  definedAt?: (ref: string) => string | undefined;
  configViolations?: readonly Violation[];
}

const byPosition = (a: Violation, b: Violation) =>
  (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.message.localeCompare(b.message);

/** The view of a commit's files (CIClass kinds already resolved) under the rules of docs/catalog.md. */
export function modelView(inputs: readonly FileInput[], options: ModelOptions = {}): CatalogView {
  const files = [...inputs].sort((a, b) => (a.path < b.path ? -1 : 1));
  const violations: Violation[] = [...(options.configViolations ?? [])];
  type Def = { path: string; record: FileInput['result']['documents'][number] };
  const all: Def[] = files.flatMap(({ path, result }) => result.documents.map((record) => ({ path, record })));
  const kept = new Map<string, Def>();
  for (const def of all) {
    const first = kept.get(def.record.ref);
    const at = options.definedAt?.(def.record.ref);
    if (!first || (at !== undefined && def.path === at && first.path !== at)) kept.set(def.record.ref, def);
  }
  const invalid = new Set(files.flatMap(({ result }) => result.invalid ?? []));
  for (const { path, result } of files) for (const v of result.violations) violations.push(v.file === undefined ? v : { ...v, file: path });
  for (const def of all) {
    const k = kept.get(def.record.ref)!;
    if (k !== def) {
      const [line, column] = def.record.namePos;
      violations.push({
        rule: 'duplicate',
        severity: 'error',
        message: `${def.record.ref} is already defined at ${k.path}:${k.record.start[0]}:${k.record.start[1]} (names are unique per kind and namespace, case-insensitive)`,
        ref: def.record.ref,
        file: def.path,
        line,
        column,
      });
      continue;
    }
    for (const [message, line, column] of def.record.refErrors) violations.push({ rule: 'reference', severity: 'error', message, ref: def.record.ref, file: def.path, line, column });
  }
  const forward: string[][] = [];
  const inverse: string[][] = [];
  for (const def of all) {
    if (kept.get(def.record.ref) !== def) continue;
    for (const [type, source, target, field, line, column] of def.record.relations) {
      const other = REVERSED_FIELDS.has(field) ? source : target;
      if (kept.has(source) && kept.has(target)) {
        (REVERSED_FIELDS.has(field) ? inverse : forward).push([type, source, target, field, `${def.path}:${line}:${column}`]);
        continue;
      }
      if (invalid.has(other)) continue;
      const kind = other.slice(0, other.indexOf(':'));
      const outside = (options.external ?? []).includes(kind);
      violations.push({
        rule: 'dangling-reference',
        severity: outside ? 'warning' : 'error',
        message: outside
          ? `spec.${field} refers to ${other}, which is not in this repository (kind ${kind} is external: references.external in cmdb.yaml)`
          : `spec.${field} refers to ${other}, which does not exist`,
        ref: def.record.ref,
        target: other,
        file: def.path,
        line,
        column,
      });
    }
  }
  const relations = new Map<string, string>();
  for (const [type, source, target, field, at] of [...forward, ...inverse]) {
    const key = `${type} ${source} ${target}`;
    if (!relations.has(key)) relations.set(key, `${key} ${field} ${at}`);
  }
  const entities: CatalogView['entities'] = {};
  for (const [ref, def] of kept) entities[ref] = [def.path, def.record.index];
  return {
    entities,
    relations: [...relations.values()].sort(),
    files: files.map(({ path, result }) => [path, result.blob, result.documents.filter((d) => kept.get(d.ref)?.record === d).map((d) => d.ref)]),
    violations: violations.sort(byPosition),
  };
}

/** The same view of a snapshot. */
export function snapshotView(s: Snapshot): CatalogView {
  const entities: CatalogView['entities'] = {};
  for (const e of s.entities.values()) entities[e.ref] = [e.source.file, e.source.document];
  const relations = new Map<string, string>();
  for (const r of s.relations) {
    const key = `${r.type} ${r.source} ${r.target}`;
    if (!relations.has(key)) relations.set(key, `${key} ${r.field} ${r.location.file}:${r.location.line}:${r.location.column}`);
  }
  return {
    entities,
    relations: [...relations.values()].sort(),
    files: [...s.files.values()].map((f): [string, string, string[]] => [f.path, f.blob, [...f.entities]]).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    violations: [...s.violations],
  };
}

/** Parse results of every selected file of a commit (cmdb.yaml and its globs left out: the tests' repos have none). */
export async function commitInputs(dir: string, commit: string): Promise<FileInput[]> {
  const git = new NativeGitReader({ dir });
  const entries = (await git.listFiles(commit)).filter((e) => e.path !== 'cmdb.yaml' && /\.ya?ml$/.test(e.path));
  const contents = new Map<string, Buffer>();
  await git.readBlobs([...new Set(entries.map((e) => e.oid))], (oid, content) => contents.set(oid, content));
  return entries.map((e) => ({ path: e.path, result: parseBlob({ path: e.path, oid: e.oid, mode: e.mode, content: contents.get(e.oid)! }) }));
}
