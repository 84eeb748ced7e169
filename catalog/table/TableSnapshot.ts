import { CmdbError } from '../../core/errors.ts';
import { entitiesOf } from '../entity.ts';
import { OBSERVE_CHECKS } from '../observe.ts';
import type { BlobResult } from '../parseBlob.ts';
import { RELATION_TYPES, REVERSED_FIELDS } from '../relations.ts';
import type { Entity, EntityFacts, FileRecord, ObserveEntry, RefString, Relation, RelationType, Snapshot, SnapshotDerivation, SnapshotRows, Violation } from '../types.ts';
import { factsAt, lowerBound, sortedIndexOf, upperBound, type SnapshotTable } from './SnapshotTable.ts';
import { SortedKeyMap } from './SortedKeyMap.ts';

/** Parse results by blob oid (read at `path`): where a table snapshot reads the documents of the entities asked for. */
export type RecordSource = (blob: string, path: string) => BlobResult | undefined;

/**
 * The one Snapshot implementation, over a SnapshotTable. Lookups by ref or
 * path are binary searches; an entity object is built when it is asked for
 * (its document read through `records`, or taken from the given objects), and
 * `relations` only when someone iterates them.
 */
export class TableSnapshot implements Snapshot {
  readonly commit: string;
  readonly entities: SortedKeyMap<Entity>;
  readonly files: SortedKeyMap<FileRecord>;
  readonly violations: readonly Violation[];
  readonly rows: SnapshotRows;
  derivedFrom?: SnapshotDerivation;
  private relationList?: Relation[];
  private fileRows?: { offsets: Int32Array; ids: Int32Array };

  constructor(
    readonly table: SnapshotTable,
    /** Where entity documents are read; or the entity objects themselves, by ref (snapshotFromObjects). */
    readonly records: RecordSource | ReadonlyMap<RefString, Entity>,
  ) {
    this.commit = table.commit;
    this.violations = table.violations;
    this.entities = new SortedKeyMap(table.refs, (id) => this.entityAt(id));
    this.files = new SortedKeyMap(table.paths, (id) => this.fileAt(id));
    this.rows = tableRows(this);
  }

  entitiesOfKinds(kinds: readonly string[]): Entity[] {
    const refs = this.table.refs;
    const out: Entity[] = [];
    for (const kind of [...new Set(kinds.map((k) => k.toLowerCase()))].sort()) {
      const end = lowerBound(refs, `${kind};`); // ';' follows ':'
      for (let id = lowerBound(refs, `${kind}:`); id < end; id++) {
        const entity = this.entityAt(id);
        if (kinds.includes(entity.kind)) out.push(entity);
      }
    }
    return out.sort((a, b) => (a.ref < b.ref ? -1 : 1));
  }

  factsOf(ref: RefString): EntityFacts | undefined {
    const id = this.idOf(ref);
    return id < 0 ? undefined : factsAt(this.table, id);
  }

  relationsOfTypes(types: readonly RelationType[]): Relation[] {
    const wanted = new Uint8Array(RELATION_TYPES.length);
    for (const t of types) wanted[RELATION_TYPES.indexOf(t)] = 1;
    const out: Relation[] = [];
    const t = this.table;
    for (let i = 0; i < t.relType.length; i++) if (wanted[t.relType[i]]) out.push(this.relationAt(i));
    return out;
  }

  relationsTouching(refs: ReadonlySet<RefString>): Relation[] {
    const t = this.table;
    const mark = new Uint8Array(t.refs.length);
    for (const ref of refs) {
      const id = this.idOf(ref);
      if (id >= 0) mark[id] = 1;
    }
    const out: Relation[] = [];
    for (let i = 0; i < t.relType.length; i++) if (mark[t.relSource[i]] || mark[t.relTarget[i]]) out.push(this.relationAt(i));
    return out;
  }

  observeEntries(): ObserveEntry[] {
    const t = this.table;
    const out: ObserveEntry[] = [];
    for (let i = 0; i < t.obsEntity.length; i++) {
      const id = t.obsEntity[i];
      const cluster = t.obsCluster[i] < 0 ? undefined : t.strings[t.obsCluster[i]];
      out.push({
        ref: t.refs[id],
        entry: t.obsEntry[i],
        check: OBSERVE_CHECKS[t.obsCheck[i]],
        ...(cluster === undefined ? {} : { cluster }),
        implicit: t.obsImplicit[i] === 1,
        location: { file: t.paths[t.file[id]], line: t.obsLine[i], column: t.obsColumn[i] },
      });
    }
    return out;
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
    if (typeof this.records !== 'function') return this.records.get(t.refs[id])!;
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

/** A snapshot's rows, read from its table's columns. */
function tableRows(s: TableSnapshot): SnapshotRows {
  const t = s.table;
  return {
    refs: t.refs,
    ids: new SortedKeyMap(t.refs, (id) => id), // by binary search: no 100,000-entry map to build
    relType: t.relType,
    relSource: t.relSource,
    relTarget: t.relTarget,
    idAfter: (ref) => upperBound(t.refs, ref),
    entityAt: (id) => s.entityAt(id),
    factsAt: (id) => factsAt(t, id),
    ownerAt: (id) => (t.owner[id] < 0 ? undefined : t.strings[t.owner[id]]),
    fileAt: (id) => t.paths[t.file[id]],
    blobAt: (id) => t.blobs[t.file[id]],
    documentAt: (id) => t.doc[id],
  };
}
