import { IMPACT_FLOW, RELATION_TYPES } from '../catalog/relations.ts';
import { factsAt, type SnapshotTable } from '../catalog/table/SnapshotTable.ts';
import { SortedKeyMap } from '../catalog/table/SortedKeyMap.ts';
import { tableOf } from '../catalog/table/TableSnapshot.ts';
import type { Entity, EntityFacts, RefString, RelationType, Snapshot } from '../catalog/types.ts';
import { prefixSum, type Csr } from './csr.ts';
import { rankRefs, type Digraph } from './digraph.ts';

/** Relation types in name order; a relation's index here is its `code`. */
export const RELATION_CODES: readonly RelationType[] = [...RELATION_TYPES].sort();
const CODE = new Map(RELATION_CODES.map((r, i) => [r, i]));
const CODE_COUNT = RELATION_CODES.length;

/** A CSR whose entries also carry the relation code of each edge. */
export interface RelationCsr extends Csr {
  codes: Uint8Array;
}

/**
 * Everything InMemoryGraphStore answers from, built once per snapshot. Node ids
 * are ranks of refs (see Digraph) and `successors` are the impact edges (see
 * IMPACT_FLOW). `out` and `in` hold each distinct (type, source, target) once,
 * each row ordered by (other end, relation code).
 */
export interface GraphIndex extends Digraph {
  commit: string;
  /** The snapshot indexed (shared, not copied: snapshots are immutable). */
  snapshot: Snapshot;
  /** The snapshot's entity with this id. */
  entityAt(id: number): Entity;
  /** What a GraphNode shows of the entity with this id, without building the entity when the snapshot has a table. */
  factsAt(id: number): { facts: EntityFacts; file: string };
  /** True when ids `id` here and `other` in `previous` were read from the same document of the same blob. */
  sameSource(id: number, previous: GraphIndex, other: number): boolean;
  /** Commit at which each id's node was last written (see GraphNode.commit); load() sets all to `commit`. */
  commits: string[];
  /** Target of each id's ownedBy relation (the smallest if several), dangling ones included. */
  owners: readonly (RefString | undefined)[];
  /** Ids `[start, end)` of each kind: refs are sorted, so a kind's refs are contiguous. */
  kinds: ReadonlyMap<string, readonly [number, number]>;
  /** Edges leaving each node; `targets` are the relation targets. */
  out: RelationCsr;
  /** Edges entering each node; `targets` are the relation sources. */
  in: RelationCsr;
}

/** Bit mask of relation codes; undefined means all relations. */
export function relationMask(relations: readonly RelationType[] | undefined): number {
  if (relations === undefined) return (1 << CODE_COUNT) - 1;
  let mask = 0;
  for (const r of relations) {
    const code = CODE.get(r);
    if (code !== undefined) mask |= 1 << code;
  }
  return mask;
}

/** Indexes a snapshot: entities, distinct relations between them, impact edges. */
export function buildGraphIndex(snapshot: Snapshot): GraphIndex {
  const table = tableOf(snapshot)?.table;
  const { refs, ids, owners, keys } = table ? tableEdges(table) : objectEdges(snapshot);
  const size = refs.length;
  const edges = decodeEdges(keys.sort(), size);
  const outEdges = groupEdges(size, edges.source, edges.target, edges.code, edges.count);
  const inEdges = groupEdges(size, edges.target, edges.source, edges.code, edges.count);
  const successors = impactCsr(outEdges, inEdges);
  const commits = new Array<string>(size).fill(snapshot.commit);
  const base = { commit: snapshot.commit, snapshot, refs, ids, commits, owners, kinds: kindRanges(refs), out: outEdges, in: inEdges, successors };
  return { ...base, ...(table ? tableAccess(snapshot, table) : objectAccess(snapshot, refs)) };
}

interface IndexedEdges {
  refs: readonly RefString[];
  ids: ReadonlyMap<RefString, number>;
  owners: (RefString | undefined)[];
  /** `(source * size + target) * CODE_COUNT + code` per relation, unsorted. */
  keys: Float64Array;
}

/** Edge keys of a snapshot of objects. */
function objectEdges(snapshot: Snapshot): IndexedEdges {
  const { refs, ids } = rankRefs(snapshot.entities.keys(), true);
  const size = refs.length;
  const owners: (RefString | undefined)[] = new Array(size).fill(undefined);
  const keys = new Float64Array(snapshot.relations.length);
  let m = 0;
  let lastSource = '';
  let s: number | undefined;
  for (const r of snapshot.relations) {
    if (r.source !== lastSource) s = ids.get((lastSource = r.source)); // relations come grouped by source
    if (s === undefined) continue;
    if (r.type === 'ownedBy' && (owners[s] === undefined || r.target < owners[s]!)) owners[s] = r.target;
    const d = ids.get(r.target);
    const code = CODE.get(r.type);
    if (d === undefined || code === undefined) continue;
    keys[m++] = (s * size + d) * CODE_COUNT + code;
  }
  return { refs, ids, owners, keys: keys.subarray(0, m) };
}

/** Relation code of each RELATION_TYPES index. */
const CODE_OF_TYPE = RELATION_TYPES.map((t) => CODE.get(t)!);
const OWNED_BY = RELATION_TYPES.indexOf('ownedBy');

/** Edge keys straight from a table's columns: its ids are already ranks of its refs. */
function tableEdges(t: SnapshotTable): IndexedEdges {
  const size = t.refs.length;
  const n = t.relType.length;
  const keys = new Float64Array(n);
  const ownerIds = new Int32Array(size).fill(-1);
  for (let i = 0; i < n; i++) {
    const s = t.relSource[i];
    const d = t.relTarget[i];
    if (t.relType[i] === OWNED_BY && (ownerIds[s] < 0 || d < ownerIds[s])) ownerIds[s] = d;
    keys[i] = (s * size + d) * CODE_COUNT + CODE_OF_TYPE[t.relType[i]];
  }
  const owners: (RefString | undefined)[] = Array.from(ownerIds, (o) => (o < 0 ? undefined : t.refs[o]));
  return { refs: t.refs, ids: new SortedKeyMap(t.refs, (id) => id), owners, keys }; // ids by binary search: no 100,000-entry map to build
}

type Access = Pick<GraphIndex, 'entityAt' | 'factsAt' | 'sameSource'>;

function objectAccess(snapshot: Snapshot, refs: readonly RefString[]): Access {
  const entityAt = (id: number) => snapshot.entities.get(refs[id])!;
  return {
    entityAt,
    factsAt: (id) => {
      const e = entityAt(id);
      return { facts: e.facts, file: e.source.file };
    },
    sameSource: (id, previous, other) => entityAt(id) === previous.entityAt(other),
  };
}

function tableAccess(snapshot: Snapshot, t: SnapshotTable): Access {
  const table = tableOf(snapshot)!;
  return {
    entityAt: (id) => table.entityAt(id),
    factsAt: (id) => ({ facts: factsAt(t, id), file: t.paths[t.file[id]] }),
    sameSource: (id, previous, other) => {
      const p = tableOf(previous.snapshot)?.table;
      if (!p) return table.entityAt(id) === previous.entityAt(other);
      return t.doc[id] === p.doc[other] && t.blobs[t.file[id]] === p.blobs[p.file[other]] && t.paths[t.file[id]] === p.paths[p.file[other]];
    },
  };
}

interface EdgeList {
  source: Int32Array;
  target: Int32Array;
  code: Uint8Array;
  count: number;
}

/** Sorted keys `(source * size + target) * CODE_COUNT + code` to distinct edges, in key order. */
function decodeEdges(sorted: Float64Array, size: number): EdgeList {
  const source = new Int32Array(sorted.length);
  const target = new Int32Array(sorted.length);
  const code = new Uint8Array(sorted.length);
  let count = 0;
  let last = -1;
  for (const key of sorted) {
    if (key === last) continue;
    last = key;
    const c = key % CODE_COUNT;
    const pair = (key - c) / CODE_COUNT;
    const t = pair % size;
    source[count] = (pair - t) / size;
    target[count] = t;
    code[count++] = c;
  }
  return { source, target, code, count };
}

/** Stable counting sort of edges by `row`: each row keeps the input order of (other, code). */
function groupEdges(size: number, row: Int32Array, other: Int32Array, code: Uint8Array, count: number): RelationCsr {
  const offsets = new Int32Array(size + 1);
  for (let i = 0; i < count; i++) offsets[row[i] + 1]++;
  prefixSum(offsets);
  const fill = offsets.slice(0, size);
  const targets = new Int32Array(count);
  const codes = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = fill[row[i]]++;
    targets[at] = other[i];
    codes[at] = code[i];
  }
  return { offsets, targets, codes };
}

const FORWARD = relationMaskBy('source-to-target');
const BACKWARD = relationMaskBy('target-to-source');

function relationMaskBy(flow: string): number {
  return relationMask(RELATION_CODES.filter((r) => IMPACT_FLOW[r] === flow));
}

/** Impact successors of each node: forward-flow out-edge targets merged with backward-flow in-edge sources. */
function impactCsr(outEdges: RelationCsr, inEdges: RelationCsr): Csr {
  const size = outEdges.offsets.length - 1;
  const offsets = new Int32Array(size + 1);
  const targets = new Int32Array(outEdges.targets.length);
  let n = 0;
  for (let u = 0; u < size; u++) {
    let last = u; // skips self loops and repeats
    mergeRows(outEdges, inEdges, u, FORWARD, BACKWARD, (v) => {
      if (v !== last) targets[n++] = last = v;
    });
    offsets[u + 1] = n;
  }
  return { offsets, targets: targets.slice(0, n) };
}

/**
 * Calls `visit` with node u's out-edge targets whose code is in `outMask` and
 * in-edge sources whose code is in `inMask`, ascending (repeats possible).
 */
export function mergeRows(
  outEdges: RelationCsr,
  inEdges: RelationCsr,
  u: number,
  outMask: number,
  inMask: number,
  visit: (v: number) => void,
): void {
  let i = outEdges.offsets[u];
  const iEnd = outEdges.offsets[u + 1];
  let j = inEdges.offsets[u];
  const jEnd = inEdges.offsets[u + 1];
  for (;;) {
    while (i < iEnd && !(outMask & (1 << outEdges.codes[i]))) i++;
    while (j < jEnd && !(inMask & (1 << inEdges.codes[j]))) j++;
    if (i < iEnd && (j >= jEnd || outEdges.targets[i] <= inEdges.targets[j])) visit(outEdges.targets[i++]);
    else if (j < jEnd) visit(inEdges.targets[j++]);
    else return;
  }
}

/** Kind of each run of sorted refs `kind:namespace/name`, with its id range. */
function kindRanges(refs: readonly RefString[]): Map<string, [number, number]> {
  const ranges = new Map<string, [number, number]>();
  let start = 0;
  while (start < refs.length) {
    const prefix = refs[start].slice(0, refs[start].indexOf(':') + 1);
    let end = start + 1;
    while (end < refs.length && refs[end].startsWith(prefix)) end++;
    ranges.set(prefix.slice(0, -1), [start, end]);
    start = end;
  }
  return ranges;
}
