import { createValidator, type CIClassDefinition, type EntityValidator } from '../schema/index.ts';
import { entityFromRecord, type BuiltEntity, type DocRecord } from './entity.ts';
import { resolvePending, type BlobResult } from './parseBlob.ts';
import { REVERSED_FIELDS } from './relations.ts';
import type { Entity, FileRecord, Relation, Snapshot, SourceLocation, Violation } from './types.ts';

/** One selected file of a commit and what its blob yielded. */
export interface FileInput {
  path: string;
  result: BlobResult;
}

/** Entities built per (blob result, path): unchanged files of two commits share them. */
const built = new WeakMap<BlobResult, { path: string; entities: BuiltEntity[] }>();

/** Order of a snapshot's violations: file, line, column, message. */
export const compareViolations = (a: Violation, b: Violation): number =>
  (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.message.localeCompare(b.message);

/** CIClass definitions declared anywhere in the commit. */
function ciClasses(files: readonly FileInput[]): CIClassDefinition[] {
  const classes: CIClassDefinition[] = [];
  for (const { path, result } of files) {
    for (const doc of result.documents) {
      if (doc.kind !== 'CIClass') continue;
      const { spec, positions } = JSON.parse(doc.text) as { spec: { kind?: unknown; schema?: unknown }; positions: CIClassDefinition['positions'] };
      const [line, column] = doc.start;
      classes.push({ kind: String(spec.kind), schema: spec.schema as object, source: { file: path, line, column }, positions });
    }
  }
  return classes;
}

/** Validates documents of CIClass-declared (or unknown) kinds once every class is known. */
function resolveAllPending(files: readonly FileInput[], violations: Violation[]): Map<BlobResult, DocRecord[]> {
  const resolved = new Map<BlobResult, DocRecord[]>();
  if (!files.some((f) => f.result.pending.length > 0)) return resolved;
  const { validator, issues } = createValidator({ classes: ciClasses(files) });
  for (const { kind, message, file, line, column } of issues) violations.push({ rule: 'schema', severity: 'error', message: `CIClass ${kind}: ${message}`, file, line, column });
  for (const { path, result } of files) {
    for (const doc of result.pending) {
      const r = resolvePending(doc, path, validator as EntityValidator);
      violations.push(...r.violations);
      if (r.document) resolved.set(result, [...(resolved.get(result) ?? []), r.document]);
    }
  }
  return resolved;
}

/** Entities of a file's parse result (memoized per result and path: unchanged files of two commits share them). */
export function entitiesOf(path: string, result: BlobResult, extra: DocRecord[] = []): BuiltEntity[] {
  const memo = built.get(result);
  if (memo && memo.path === path && extra.length === 0) return memo.entities;
  const docs = extra.length ? [...result.documents, ...extra].sort((a, b) => a.index - b.index) : result.documents;
  const entities = docs.map((doc) => entityFromRecord(doc, path, result.blob));
  if (extra.length === 0) built.set(result, { path, entities });
  return entities;
}

/** A violation of a parse result, named with the path the blob was read at. */
export const withFile = (v: Violation, file: string): Violation => (v.file === undefined || v.file === file ? v : { ...v, file });

/** The violation for a second definition of `ref` (its name at `file`:`at`), naming where the first one is. */
export function duplicateViolation(ref: string, file: string, [line, column]: readonly [number, number], first: SourceLocation): Violation {
  return {
    rule: 'duplicate',
    severity: 'error',
    message: `${ref} is already defined at ${first.file}:${first.line}:${first.column} (names are unique per kind and namespace, case-insensitive)`,
    ref,
    file,
    line,
    column,
  };
}


/** The ends of a relation as its declaring entity sees them: itself (`owner`) and the entity it names (`other`). */
export function declaredEnds(rel: Pick<Relation, 'field' | 'source' | 'target'>): { owner: string; other: string } {
  return REVERSED_FIELDS.has(rel.field) ? { owner: rel.target, other: rel.source } : { owner: rel.source, other: rel.target };
}

/** The violation for a relation naming an entity that does not exist. */
export function danglingViolation(rel: Relation): Violation {
  const { owner, other } = declaredEnds(rel);
  return {
    rule: 'dangling-reference',
    severity: 'error',
    message: `spec.${rel.field} refers to ${other}, which does not exist`,
    ref: owner,
    target: other,
    ...rel.location,
  };
}

/** References to entities that do not exist in this commit. */
function danglingReferences(relations: readonly Relation[], entities: ReadonlyMap<string, Entity>): Violation[] {
  return relations.filter((rel) => !entities.has(declaredEnds(rel).other)).map(danglingViolation);
}

/**
 * One relation per (type, source, target): `parent` on a child and `children`
 * on its parent are one edge. Only relations declared by inverse fields
 * (children, members, dependencyOf) can repeat another, so only they are keyed.
 */
function uniqueEdges(relations: Relation[]): Relation[] {
  const key = (r: Relation) => `${r.type}\0${r.source}\0${r.target}`;
  const inverse = relations.filter((r) => REVERSED_FIELDS.has(r.field));
  if (inverse.length === 0) return relations;
  const types = new Set(inverse.map((r) => r.type));
  const seen = new Set<string>();
  const forward = relations.filter((r) => {
    if (REVERSED_FIELDS.has(r.field)) return false;
    if (!types.has(r.type)) return true;
    const k = key(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const extra = inverse.filter((r) => {
    const k = key(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return [...forward, ...extra];
}

/**
 * Builds the snapshot of a commit from the parse results of its selected
 * files: entities (first definition wins), relations, and every violation
 * (file, yaml, schema, reference format, duplicates, dangling references).
 */
export function assembleSnapshot(commit: string, files: readonly FileInput[], configViolations: readonly Violation[] = []): Assembly {
  const violations: Violation[] = [...configViolations];
  const ordered = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const pending = resolveAllPending(ordered, violations);
  const entities = new Map<string, Entity>();
  const relations: Relation[] = [];
  const fileRecords = new Map<string, FileRecord>();
  for (const { path, result } of ordered) {
    for (const v of result.violations) violations.push(withFile(v, path));
    const refs: string[] = [];
    for (const b of entitiesOf(path, result, pending.get(result))) {
      const first = entities.get(b.entity.ref);
      if (first) {
        const e = b.entity;
        violations.push(duplicateViolation(e.ref, e.source.file, e.positions['/metadata/name'] ?? [e.source.line, e.source.column], first.source));
        continue;
      }
      entities.set(b.entity.ref, b.entity);
      refs.push(b.entity.ref);
      violations.push(...b.violations);
      for (const r of b.relations) relations.push(r);
    }
    fileRecords.set(path, { path, blob: result.blob, entities: refs });
  }
  violations.push(...danglingReferences(relations, entities));
  const resolved = relations.filter((r) => entities.has(r.source) && entities.has(r.target));
  const keptRelations = uniqueEdges(resolved);
  violations.sort(compareViolations);
  const snapshot = { commit, entities, relations: keptRelations, files: fileRecords, violations };
  const tabular = pending.size === 0;
  return { snapshot, inputs: new Map(ordered.map((f) => [f.path, f.result])), tabular, incremental: tabular && isSimple(violations) && keptRelations.length === resolved.length };
}

const fileOf = (r: Relation): string => r.location.file;

/** A snapshot and what it was assembled from, so the next commit can be assembled from it. */
export interface Assembly {
  snapshot: Snapshot;
  /** Parse result of each selected file. */
  inputs: Map<string, BlobResult>;
  /** True when the next commit may be assembled incrementally from this one. */
  incremental: boolean;
  /** True when every entity is built from a record of its blob's parse result (no CIClass kinds): a SnapshotTable can hold it. */
  tabular: boolean;
}

/**
 * Order-sensitive outcomes (which duplicate wins, what dangles, which of two
 * equal edges is kept) rule out incremental assembly.
 */
export const isSimple = (violations: readonly Violation[]) => !violations.some((v) => v.rule === 'duplicate' || v.rule === 'dangling-reference');

/**
 * The snapshot of a commit that differs from `base` only in the given files,
 * built without revisiting the others. Undefined when that would not give the
 * same result as a full assembly (CIClass kinds, duplicates, dangling
 * references involved): the caller then assembles in full.
 */
export function assembleIncrementally(base: Assembly, commit: string, changed: readonly FileInput[], removed: readonly string[]): Assembly | undefined {
  if (!base.incremental || changed.some((f) => f.result.pending.length > 0 || f.result.documents.some((d) => d.kind === 'CIClass'))) return undefined;
  const touched = new Set([...removed, ...changed.map((f) => f.path)]);
  const prev = base.snapshot;
  const entities = new Map(prev.entities);
  const files = new Map(prev.files);
  const gone = new Set<string>();
  for (const path of touched) {
    for (const ref of prev.files.get(path)?.entities ?? []) (entities.delete(ref), gone.add(ref));
    files.delete(path);
  }
  const violations = prev.violations.filter((v) => v.file === undefined || !touched.has(v.file));
  const fresh: Relation[] = [];
  for (const { path, result } of [...changed].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    for (const v of result.violations) violations.push(withFile(v, path));
    const refs: string[] = [];
    for (const b of entitiesOf(path, result)) {
      if (entities.has(b.entity.ref)) return undefined;
      entities.set(b.entity.ref, b.entity);
      gone.delete(b.entity.ref);
      refs.push(b.entity.ref);
      violations.push(...b.violations);
      fresh.push(...b.relations);
    }
    files.set(path, { path, blob: result.blob, entities: refs });
  }
  const kept = prev.relations.filter((r) => !touched.has(fileOf(r)) && !gone.has(r.source) && !gone.has(r.target));
  const dangling = danglingReferences(fresh, entities);
  if (gone.size > 0) dangling.push(...danglingReferences(prev.relations.filter((r) => !touched.has(fileOf(r)) && (gone.has(r.source) || gone.has(r.target))), entities));
  violations.push(...dangling);
  const resolved = [...kept, ...fresh.filter((r) => entities.has(r.source) && entities.has(r.target))];
  const relations = uniqueEdges(resolved);
  violations.sort(compareViolations);
  const inputs = new Map(base.inputs);
  for (const path of removed) inputs.delete(path);
  for (const f of changed) inputs.set(f.path, f.result);
  const derivedFrom = { base: new WeakRef<Snapshot>(prev), files: touched };
  return { snapshot: { commit, entities, relations, files, violations, derivedFrom }, inputs, tabular: true, incremental: isSimple(violations) && relations.length === resolved.length };
}
