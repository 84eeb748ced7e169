import { IMPACT_FLOW, RELATION_TYPES } from '../catalog/relations.ts';
import type { Entity, EntityFacts, RefString, RelationType, Snapshot, SnapshotRows } from '../catalog/types.ts';
import { MAX_CSR_NODES, prefixSum, type Csr } from './csr.ts';
import type { Digraph } from './digraph.ts';

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
  /** The rows of the snapshot indexed (shared, not copied: snapshots are immutable). */
  rows: SnapshotRows;
  /** The snapshot's entity with this id. */
  entityAt(id: number): Entity;
  /** What a GraphNode shows of the entity with this id, without building the entity. */
  factsAt(id: number): { facts: EntityFacts; file: string };
  /** True when ids `id` here and `other` in `previous` were read from the same document of the same blob at the same path. */
  sameSource(id: number, previous: GraphIndex, other: number): boolean;
  /** Commit at which each id's node was last written (see GraphNode.commit); load() sets all to `commit`. */
  commits: string[];
  /** Each id's owner: the smallest of its ownedBy relations' targets and the owner its spec names (even one not in the catalog). */
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
export function buildGraphIndex(snapshot: Pick<Snapshot, 'commit' | 'rows'>): GraphIndex {
  const rows = snapshot.rows;
  const size = rows.refs.length;
  if (size > MAX_CSR_NODES) throw new RangeError(`a graph holds at most ${MAX_CSR_NODES} nodes`);
  const { refs, ids } = rows;
  const owners = ownersOf(rows);
  const edges = distinctEdges(rows);
  const outEdges = groupEdges(size, edges.source, edges.target, edges.code, edges.count);
  const inEdges = groupEdges(size, edges.target, edges.source, edges.code, edges.count);
  const successors = impactCsr(outEdges, inEdges);
  const commits = new Array<string>(size).fill(snapshot.commit);
  return {
    commit: snapshot.commit,
    rows,
    refs,
    ids,
    commits,
    owners,
    kinds: kindRanges(refs),
    out: outEdges,
    in: inEdges,
    successors,
    entityAt: (id) => rows.entityAt(id),
    factsAt: (id) => ({ facts: rows.factsAt(id), file: rows.fileAt(id) }),
    sameSource: (id, previous, other) => {
      const p = previous.rows;
      return rows.documentAt(id) === p.documentAt(other) && rows.blobAt(id) === p.blobAt(other) && rows.fileAt(id) === p.fileAt(other);
    },
  };
}

/** Relation code of each RELATION_TYPES index. */
const CODE_OF_TYPE = RELATION_TYPES.map((t) => CODE.get(t)!);
const OWNED_BY = RELATION_TYPES.indexOf('ownedBy');

/** Each id's owner: the smallest target of its ownedBy relations, or the owner its spec names when that is smaller or the only one. */
function ownersOf(t: SnapshotRows): (RefString | undefined)[] {
  const size = t.refs.length;
  const ownerIds = new Int32Array(size).fill(-1);
  for (let i = 0; i < t.relType.length; i++) {
    const s = t.relSource[i];
    const d = t.relTarget[i];
    if (t.relType[i] === OWNED_BY && (ownerIds[s] < 0 || d < ownerIds[s])) ownerIds[s] = d;
  }
  const owners = new Array<RefString | undefined>(size);
  for (let id = 0; id < size; id++) {
    const declared = t.ownerAt(id);
    const related = ownerIds[id] < 0 ? undefined : t.refs[ownerIds[id]];
    owners[id] = declared === undefined || (related !== undefined && related < declared) ? related : declared;
  }
  return owners;
}

interface EdgeList {
  source: Int32Array;
  target: Int32Array;
  code: Uint8Array;
  count: number;
}

/** Rows of at most this many edges are put in order by insertion; longer ones by a typed-array sort of their keys. */
const INSERTION_ROW = 32;

/**
 * The distinct (source, target, code) edges of a snapshot's relation rows
 * (its ids are already ranks of its refs), ordered by source, then target,
 * then code: a counting sort by source, then each source's few edges put in
 * order in place (sorting all 440,000 keys of a 100,000-entity catalog as
 * numbers took ~30 ms more, and decoding them ~20 ms).
 */
function distinctEdges(t: SnapshotRows): EdgeList {
  const size = t.refs.length;
  const n = t.relType.length;
  const offsets = new Int32Array(size + 1);
  for (let i = 0; i < n; i++) offsets[t.relSource[i] + 1]++;
  prefixSum(offsets);
  const fill = offsets.slice(0, size);
  // Per edge, grouped by source: target * CODE_COUNT + code (below 2^31: ids stay below MAX_CSR_NODES).
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) keys[fill[t.relSource[i]]++] = t.relTarget[i] * CODE_COUNT + CODE_OF_TYPE[t.relType[i]];
  const source = new Int32Array(n);
  const target = new Int32Array(n);
  const code = new Uint8Array(n);
  let count = 0;
  for (let s = 0; s < size; s++) {
    const lo = offsets[s];
    const hi = offsets[s + 1];
    if (hi - lo > INSERTION_ROW) keys.subarray(lo, hi).sort();
    else {
      for (let i = lo + 1; i < hi; i++) {
        const key = keys[i];
        let j = i - 1;
        for (; j >= lo && keys[j] > key; j--) keys[j + 1] = keys[j];
        keys[j + 1] = key;
      }
    }
    for (let i = lo; i < hi; i++) {
      if (i > lo && keys[i] === keys[i - 1]) continue;
      const c = keys[i] % CODE_COUNT;
      source[count] = s;
      target[count] = (keys[i] - c) / CODE_COUNT;
      code[count++] = c;
    }
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
