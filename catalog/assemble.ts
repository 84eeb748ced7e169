import { createValidator, type CIClassDefinition, type EntityValidator } from '../schema/index.ts';
import { ensureTexts } from './cache/cacheLine.ts';
import type { DocRecord } from './entity.ts';
import { resolvePending, type BlobResult, type FileInput } from './parseBlob.ts';
import { assembleTable, type AssembleOptions } from './table/assembleTable.ts';
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

/**
 * The snapshot of a commit from the parse results of its selected files:
 * CIClass kinds resolved, then the rules of assembleTable. Entity documents
 * are read through `records` (default: the given parse results).
 */
export function assembleSnapshot(
  commit: string,
  files: readonly FileInput[],
  options: AssembleOptions & { records?: RecordSource } = {},
): { snapshot: TableSnapshot; incremental: boolean; preferred: boolean; resolved: ReadonlyMap<string, BlobResult> } {
  const classes = resolveClassKinds(files);
  const configViolations = classes.violations.length === 0 ? options.configViolations : [...(options.configViolations ?? []), ...classes.violations];
  const { table, incremental, preferred } = assembleTable(commit, classes.files, { ...options, configViolations });
  const base: RecordSource = options.records ?? byBlob(files);
  const records: RecordSource = classes.resolved.size === 0 ? base : (blob, path) => classes.resolved.get(blob) ?? base(blob, path);
  return { snapshot: new TableSnapshot(table, records), incremental, preferred, resolved: classes.resolved };
}

/** The given parse results by blob. */
function byBlob(files: readonly FileInput[]): RecordSource {
  const given = new Map(files.map((f) => [f.result.blob, f.result]));
  return (blob) => given.get(blob);
}
