import { createValidator, type CIClassDefinition, type EntityValidator } from '../schema/index.ts';
import { ensureTexts } from './cache/cacheLine.ts';
import type { DocRecord } from './entity.ts';
import { resolvePending, type BlobResult, type FileInput } from './parseBlob.ts';
import { TableAssembler, type AssembleOptions } from './table/assembleTable.ts';
import { TableSnapshot, type RecordSource } from './table/TableSnapshot.ts';
import type { Violation } from './types.ts';

export type { FileInput } from './parseBlob.ts';

/** CIClass definitions declared anywhere in the commit. */
function ciClasses(files: readonly FileInput[]): CIClassDefinition[] {
  const classes: CIClassDefinition[] = [];
  for (const { path, result } of files) {
    for (const doc of result.documents) {
      if (doc.kind !== 'CIClass') continue;
      ensureTexts(result);
      const { spec, positions } = JSON.parse(doc.text) as { spec: { kind?: unknown; schema?: unknown }; positions: CIClassDefinition['positions'] };
      const [line, column] = doc.start;
      classes.push({ kind: String(spec.kind), schema: spec.schema as object, source: { file: path, line, column }, positions });
    }
  }
  return classes;
}

/** A commit's files with the documents of CIClass-declared kinds resolved. */
export interface ResolvedFiles {
  files: readonly FileInput[];
  /** Problems of the CIClass definitions themselves (no file). */
  violations: Violation[];
  /** The parse results that changed (by blob): records of resolved documents live only there. */
  resolved: Map<string, BlobResult>;
}

/**
 * Validates the documents of kinds only a CIClass declares (or of unknown
 * kinds) once every class of the commit is known, and returns the files with
 * those documents as records beside the others (or as schema violations), so
 * that one assembly serves every commit. Files without such documents are
 * returned as they are.
 */
export function resolveClassKinds(files: readonly FileInput[]): ResolvedFiles {
  const resolved = new Map<string, BlobResult>();
  if (!files.some((f) => f.result.pending.length > 0)) return { files, violations: [], resolved };
  const { validator, issues } = createValidator({ classes: ciClasses(files) });
  const violations: Violation[] = issues.map(({ kind, message, file, line, column }) => ({ rule: 'schema', severity: 'error', message: `CIClass ${kind}: ${message}`, file, line, column }));
  const out = files.map(({ path, result }) => {
    if (result.pending.length === 0) return { path, result };
    // The records are copied into a new result: their texts must be in them, not left in the cache line of this one.
    const documents: DocRecord[] = [...ensureTexts(result).documents];
    const problems = [...result.violations];
    const invalid = [...(result.invalid ?? [])];
    for (const doc of result.pending) {
      const r = resolvePending(doc, path, validator as EntityValidator);
      problems.push(...r.violations);
      if (r.document) documents.push(r.document);
      if (r.invalid !== undefined) invalid.push(r.invalid);
    }
    documents.sort((a, b) => a.index - b.index);
    const full: BlobResult = { file: result.file, blob: result.blob, documents, pending: [], violations: problems, ...(invalid.length ? { invalid } : {}) };
    resolved.set(result.blob, full);
    return { path, result: full };
  });
  return { files: out, violations, resolved };
}

/** What `SnapshotAssembler.finish` gives. */
export interface AssembledSnapshot {
  snapshot: TableSnapshot;
  incremental: boolean;
  preferred: boolean;
  /** Parse results whose CIClass-declared documents were resolved (by blob). */
  resolved: ReadonlyMap<string, BlobResult>;
}

/**
 * A commit's snapshot from the parse results of its selected files, added as
 * they are parsed, in any order: each goes into the table at once
 * (TableAssembler), except a file with documents of kinds only a CIClass
 * declares, held until every class of the commit is known
 * (resolveClassKinds). Files that define classes are kept for that too.
 */
export class SnapshotAssembler {
  private readonly table: TableAssembler;
  /** Files that define a CIClass or hold documents of a class-declared kind, by index. */
  private readonly classFiles = new Map<number, BlobResult>();

  /** `paths`: the selected files of the commit; `add` names a file by its index here. */
  constructor(private readonly paths: readonly string[]) {
    this.table = new TableAssembler(paths);
  }

  add(file: number, result: BlobResult): void {
    const pending = result.pending.length > 0;
    if (pending || result.documents.some((d) => d.kind === 'CIClass')) this.classFiles.set(file, result);
    if (!pending) this.table.add(file, result);
  }

  /** The snapshot, once every file is added; its entity documents are read through `records`. */
  finish(commit: string, options: AssembleOptions & { records: RecordSource }): AssembledSnapshot {
    const held = [...this.classFiles.keys()].sort((a, b) => (this.paths[a] < this.paths[b] ? -1 : 1));
    const classes = resolveClassKinds(held.map((i) => ({ path: this.paths[i], result: this.classFiles.get(i)! })));
    held.forEach((i, k) => {
      if (this.classFiles.get(i)!.pending.length > 0) this.table.add(i, classes.files[k].result);
    });
    const configViolations = classes.violations.length === 0 ? options.configViolations : [...(options.configViolations ?? []), ...classes.violations];
    const { table, incremental, preferred } = this.table.finish(commit, { ...options, configViolations });
    const records: RecordSource = classes.resolved.size === 0 ? options.records : (blob, path) => classes.resolved.get(blob) ?? options.records(blob, path);
    return { snapshot: new TableSnapshot(table, records), incremental, preferred, resolved: classes.resolved };
  }
}

/**
 * The snapshot of a commit from the parse results of its selected files
 * (SnapshotAssembler). Entity documents are read through `records` (default:
 * the given parse results).
 */
export function assembleSnapshot(commit: string, files: readonly FileInput[], options: AssembleOptions & { records?: RecordSource } = {}): AssembledSnapshot {
  const assembler = new SnapshotAssembler(files.map((f) => f.path));
  files.forEach((f, i) => assembler.add(i, f.result));
  return assembler.finish(commit, { ...options, records: options.records ?? byBlob(files) });
}

/** The given parse results by blob. */
function byBlob(files: readonly FileInput[]): RecordSource {
  const given = new Map(files.map((f) => [f.result.blob, f.result]));
  return (blob) => given.get(blob);
}
