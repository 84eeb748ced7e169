import type { Criticality, RefString, RelationType } from '../core/types.ts';

export type { Criticality, RefString, RelationType } from '../core/types.ts';
export { CRITICALITIES } from '../core/types.ts';

/** 1-based line and column in a file of the config repo. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface EntityMetadata {
  name: string;
  namespace: string;
  title?: string;
  description?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  tags?: string[];
  [key: string]: unknown;
}

/** What queries need of an entity without reading its whole document. */
export interface EntityFacts {
  title?: string;
  criticality?: Criticality;
  lifecycle?: string;
  /** Normalized ref of spec.owner, when it is a valid reference. */
  owner?: RefString;
  labels?: Record<string, string>;
}

/** One YAML document with apiVersion and kind, after defaults and schema validation. */
export interface Entity {
  ref: RefString;
  apiVersion: string;
  /** Kind as declared by its schema, e.g. `Component` (refs use the lower-case form). */
  kind: string;
  /** Derived from metadata and spec when the entity was built. */
  facts: EntityFacts;
  metadata: EntityMetadata;
  spec: Record<string, unknown>;
  /** Where the document starts and the blob it was read from. */
  source: SourceLocation & { blob: string; document: number };
  /**
   * Positions of selected nodes, keyed by JSON pointer into the document
   * (`/metadata/name`, `/spec/dependsOn/0`, ...): [line, column].
   */
  positions: Record<string, [number, number]>;
}

export type Severity = 'error' | 'warning';

/** A problem found in the catalog or the change: a value, never thrown. */
export interface Violation {
  rule: string;
  severity: Severity;
  message: string;
  ref?: RefString;
  /** For reference problems: the entity referred to. */
  target?: RefString;
  file?: string;
  line?: number;
  column?: number;
  /** Set by change policies (issue 4). */
  policy?: string;
  enforcement?: string;
}

/** Which way an outage or a change travels along a relation. */
export type ImpactFlow = 'source-to-target' | 'target-to-source' | 'none';

export interface Relation {
  type: RelationType;
  source: RefString;
  target: RefString;
  /** Where the reference was written. */
  location: SourceLocation;
  /** The spec field it came from (`dependsOn`, `members`, ...). */
  field: string;
}

/** What a file of the config repo yielded. */
export interface FileRecord {
  path: string;
  blob: string;
  entities: RefString[];
}

/**
 * The catalog at one commit: entities, relations and the problems found
 * reading them. Implementations answer the questions below without building
 * an object per entity or relation, so callers ask them rather than scan.
 */
export interface Snapshot {
  readonly commit: string;
  readonly entities: ReadonlyMap<RefString, Entity>;
  /** One per (type, source, target), both ends entities. */
  readonly relations: readonly Relation[];
  readonly files: ReadonlyMap<string, FileRecord>;
  /** Problems found reading and validating this commit (yaml, schema, duplicates, references, cycles). */
  readonly violations: readonly Violation[];
  /** Set when the snapshot was derived from another by re-reading only some files. */
  readonly derivedFrom?: SnapshotDerivation;
  /** The entities and relations by id, for indexes (graphs) built without entity objects. */
  readonly rows: SnapshotRows;
  /** Entities of the given declared kinds (`ChangePolicy`, `User`), in ref order. */
  entitiesOfKinds(kinds: readonly string[]): Entity[];
  /** The facts of an entity, without building it. */
  factsOf(ref: RefString): EntityFacts | undefined;
  /** Relations of the given types. */
  relationsOfTypes(types: readonly RelationType[]): Relation[];
  /** Relations with an end among `refs`. */
  relationsTouching(refs: ReadonlySet<RefString>): Relation[];
  /** Every entry of every entity's `spec.observe`, in ref then entry order, without building the entities. */
  observeEntries(): ObserveEntry[];
}

/** One entry of an entity's `spec.observe` (a binding the reconcilers check), as snapshots keep it. */
export interface ObserveEntry {
  ref: RefString;
  /** Index of the entry in `spec.observe`. */
  entry: number;
  check: 'kubernetes' | 'http' | 'other';
  /** For a `kubernetes` entry: its `cluster`, else the first cluster the entity runs on; undefined when neither (or not a reference). */
  cluster?: RefString;
  /** True when a `kubernetes` entry gives no `cluster` (the runsOn default applies). */
  implicit: boolean;
  /** Where a `kubernetes` entry's `cluster` is written (its `kubernetes` key when it gives none); an other entry's start. */
  location: SourceLocation;
}

/**
 * A snapshot's entities and relations by id. Entity ids are the ranks of the
 * refs in code-unit order; relation columns hold RELATION_TYPES indexes and
 * entity ids. Read-only: never write to the arrays.
 */
export interface SnapshotRows {
  /** Refs, sorted in code-unit order: an entity's id is its index here. */
  readonly refs: readonly RefString[];
  /** Id of each ref (a lookup, not a copy). */
  readonly ids: ReadonlyMap<RefString, number>;
  /** Per relation: index in RELATION_TYPES, source id, target id. */
  readonly relType: Uint8Array;
  readonly relSource: Int32Array;
  readonly relTarget: Int32Array;
  /** First id whose ref sorts after `ref` (the number of refs up to it). */
  idAfter(ref: RefString): number;
  entityAt(id: number): Entity;
  factsAt(id: number): EntityFacts;
  /** The owner the entity's spec names (normalized), whether or not it is in the catalog: `factsAt(id).owner`, without the rest. */
  ownerAt(id: number): RefString | undefined;
  /** Path of the file the entity was read from. */
  fileAt(id: number): string;
  /** Blob and document index it was read from: with the path, equal in two snapshots exactly when they share the definition. */
  blobAt(id: number): string;
  documentAt(id: number): number;
}

/** Entities outside `files` are those of `base` (same blob, same document). */
export interface SnapshotDerivation {
  /** Weak, so that a chain of derived snapshots does not keep every ancestor alive. */
  base: WeakRef<Snapshot>;
  /** Paths added, changed or removed between base and this snapshot. */
  files: ReadonlySet<string>;
}

export type ChangeOp = 'added' | 'modified' | 'removed';

export interface EntityChange {
  ref: RefString;
  kind: string;
  op: ChangeOp;
  file: string;
  /** JSON-pointer-like dotted paths of changed fields (`spec.dependsOn`), empty for added/removed. */
  fields: string[];
  before?: Entity;
  after?: Entity;
}

export interface SnapshotDiff {
  base: string;
  head: string;
  changes: EntityChange[];
}

/** The files that may differ between two snapshots when `head` was derived from `base`; undefined otherwise. */
export const derivedFiles = (base: Snapshot, head: Snapshot): ReadonlySet<string> | undefined =>
  head.derivedFrom && head.derivedFrom.base.deref() === base ? head.derivedFrom.files : undefined;

/** What reads snapshots of a repository (`CatalogReader`), as layers above catalog/ see it. */
export interface SnapshotSource {
  readonly git: { resolve(rev: string): Promise<string> };
  /** The catalog at a revision. */
  read(rev: string): Promise<Snapshot>;
  /** The catalog at `rev`, derived from `base` by the files that changed. */
  readFrom(base: Snapshot, rev: string): Promise<Snapshot>;
}
