import { CmdbError } from '../../core/errors.ts';
import { entitiesOf } from '../entity.ts';
import type { BlobResult } from '../parseBlob.ts';
import { RELATION_TYPES, REVERSED_FIELDS } from '../relations.ts';
import type { Entity, FileRecord, RefString, Relation, RelationType, Snapshot, SnapshotDerivation, Violation } from '../types.ts';
import { sortedIndexOf, type SnapshotTable } from './SnapshotTable.ts';
import { SortedKeyMap } from './SortedKeyMap.ts';

/** Parse results by blob oid (read at `path`): where a table snapshot reads the documents of the entities asked for. */
export type RecordSource = (blob: string, path: string) => BlobResult | undefined;

/**
 * A Snapshot over a SnapshotTable. Lookups by ref or path are binary searches;
 * an entity object is built when it is asked for (its document read through
 * `records`), and `relations` only when someone iterates them.
 */
export class TableSnapshot implements Snapshot {
  readonly commit: string;
  readonly entities: SortedKeyMap<Entity>;
  readonly files: SortedKeyMap<FileRecord>;
  readonly violations: readonly Violation[];
  derivedFrom?: SnapshotDerivation;
  private relationList?: Relation[];
  private fileRows?: { offsets: Int32Array; ids: Int32Array };

  constructor(
    readonly table: SnapshotTable,
    readonly records: RecordSource,
  ) {
    this.commit = table.commit;
    this.violations = table.violations;
    this.entities = new SortedKeyMap(table.refs, (id) => this.entityAt(id));
    this.files = new SortedKeyMap(table.paths, (id) => this.fileAt(id));
  }

  get relations(): readonly Relation[] {
    if (!this.relationList) {
      const n = this.table.relType.length;
      const list = new Array<Relation>(n);
      for (let i = 0; i < n; i++) list[i] = new TableRelation(this.table, i);
      this.relationList = list;
    }
    return this.relationList;
  }

  /** Relation `i` of the table (without building the others). */
  relationAt(i: number): Relation {
    return this.relationList?.[i] ?? new TableRelation(this.table, i);
  }

  /** Id of an entity, or -1. */
  idOf(ref: RefString): number {
    return sortedIndexOf(this.table.refs, ref);
  }

  /** Id of a file, or -1. */
  fileIdOf(path: string): number {
    return sortedIndexOf(this.table.paths, path);
  }

  /** Entity ids of a file, in document order. */
  entitiesOfFile(fileId: number): Int32Array {
    const rows = (this.fileRows ??= fileRowsOf(this.table));
    return rows.ids.subarray(rows.offsets[fileId], rows.offsets[fileId + 1]);
  }

  /** The record of the file with this id. */
  private fileAt(id: number): FileRecord {
    const t = this.table;
    return { path: t.paths[id], blob: t.blobs[id], entities: Array.from(this.entitiesOfFile(id), (e) => t.refs[e]) };
  }

  private readonly built = new Map<number, Entity>();

  /** The entity with this id, built from its record on first use. */
  entityAt(id: number): Entity {
    let entity = this.built.get(id);
    if (entity) return entity;
    const t = this.table;
    const path = t.paths[t.file[id]];
    const blob = t.blobs[t.file[id]];
    const result = this.records(blob, path);
    entity = result && entitiesOf(path, result).find((b) => b.entity.source.document === t.doc[id])?.entity;
    if (!entity || entity.ref !== t.refs[id]) {
      throw new CmdbError(`the parse cache has no entry for ${path} (blob ${blob}); delete the cache directory or run with --no-cache`, { code: 'cache' });
    }
    this.built.set(id, entity);
    return entity;
  }
}

/** Entity ids grouped by file id, each group in document order. */
function fileRowsOf(t: SnapshotTable): { offsets: Int32Array; ids: Int32Array } {
  const offsets = new Int32Array(t.paths.length + 1);
  for (let id = 0; id < t.refs.length; id++) offsets[t.file[id] + 1]++;
  for (let i = 1; i < offsets.length; i++) offsets[i] += offsets[i - 1];
  const fill = offsets.slice(0, t.paths.length);
  const ids = new Int32Array(t.refs.length);
  for (let id = 0; id < t.refs.length; id++) ids[fill[t.file[id]]++] = id;
  for (let f = 0; f < t.paths.length; f++) {
    if (offsets[f + 1] - offsets[f] > 1) ids.subarray(offsets[f], offsets[f + 1]).sort((a, b) => t.doc[a] - t.doc[b]);
  }
  return { offsets, ids };
}

/** One relation of a table, read from its columns. */
class TableRelation implements Relation {
  constructor(
    private readonly t: SnapshotTable,
    private readonly i: number,
  ) {}
  get type(): RelationType {
    return RELATION_TYPES[this.t.relType[this.i]];
  }
  get source(): RefString {
    return this.t.refs[this.t.relSource[this.i]];
  }
  get target(): RefString {
    return this.t.refs[this.t.relTarget[this.i]];
  }
  get field(): string {
    return this.t.strings[this.t.relField[this.i]];
  }
  get location() {
    const t = this.t;
    const declarer = REVERSED_FIELDS.has(this.field) ? t.relTarget[this.i] : t.relSource[this.i];
    return { file: t.paths[t.file[declarer]], line: t.relLine[this.i], column: t.relColumn[this.i] };
  }
  toJSON(): Relation {
    return { type: this.type, source: this.source, target: this.target, field: this.field, location: this.location };
  }
}

/** The table behind a snapshot, when it has one. */
export const tableOf = (snapshot: Snapshot): TableSnapshot | undefined => (snapshot instanceof TableSnapshot ? snapshot : undefined);
