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

/** The catalog at one commit: entities, relations and the problems found reading them. */
export interface Snapshot {
  commit: string;
  entities: ReadonlyMap<RefString, Entity>;
  relations: readonly Relation[];
  files: ReadonlyMap<string, FileRecord>;
  /** Problems found reading and validating this commit (yaml, schema, duplicates, references, cycles). */
  violations: readonly Violation[];
  /** Set when the snapshot was derived from another by re-reading only some files. */
  derivedFrom?: SnapshotDerivation;
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
