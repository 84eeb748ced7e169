import { IMPACT_FLOW, RELATION_TYPES } from '../catalog/relations.ts';
import type { RefString, RelationType, Snapshot } from '../catalog/types.ts';
import { prefixSum, type Csr } from './csr.ts';
import { rankRefs, type Digraph } from './digraph.ts';
import { toGraphNode } from './graphNode.ts';
import type { GraphNode } from './GraphStore.ts';

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
  /** By id. */
  nodes: readonly GraphNode[];
  /** Ids of each lower-case kind, ascending. */
  byKind: ReadonlyMap<string, Int32Array>;
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
  const { refs, ids } = rankRefs(snapshot.entities.keys());
  const size = refs.length;
  const owners = new Map<RefString, RefString>();
  const keys = new Float64Array(snapshot.relations.length);
  let m = 0;
  for (const r of snapshot.relations) {
    if (r.type === 'ownedBy') keepSmallest(owners, r.source, r.target);
    const s = ids.get(r.source);
    const d = ids.get(r.target);
    const code = CODE.get(r.type);
    if (s === undefined || d === undefined || code === undefined) continue;
    keys[m++] = (s * size + d) * CODE_COUNT + code;
  }
  const edges = decodeEdges(keys.subarray(0, m).sort(), size);
  const out = groupEdges(size, edges.source, edges.target, edges.code, edges.count);
  const inEdges = groupEdges(size, edges.target, edges.source, edges.code, edges.count);
  const nodes = refs.map((ref) => toGraphNode(snapshot.entities.get(ref)!, snapshot.commit, owners.get(ref)));
  return { commit: snapshot.commit, refs, ids, nodes, byKind: kindIndex(nodes), out, in: inEdges, successors: impactCsr(out, inEdges) };
}

function keepSmallest(map: Map<RefString, RefString>, key: RefString, value: RefString): void {
  const current = map.get(key);
  if (current === undefined || value < current) map.set(key, value);
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
function impactCsr(out: RelationCsr, inEdges: RelationCsr): Csr {
  const size = out.offsets.length - 1;
  const offsets = new Int32Array(size + 1);
  const targets = new Int32Array(out.targets.length);
  let n = 0;
  for (let u = 0; u < size; u++) {
    let last = u; // skips self loops and repeats
    mergeRows(out, inEdges, u, FORWARD, BACKWARD, (v) => {
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
  out: RelationCsr,
  inEdges: RelationCsr,
  u: number,
  outMask: number,
  inMask: number,
  visit: (v: number) => void,
): void {
  let i = out.offsets[u];
  const iEnd = out.offsets[u + 1];
  let j = inEdges.offsets[u];
  const jEnd = inEdges.offsets[u + 1];
  for (;;) {
    while (i < iEnd && !(outMask & (1 << out.codes[i]))) i++;
    while (j < jEnd && !(inMask & (1 << inEdges.codes[j]))) j++;
    if (i < iEnd && (j >= jEnd || out.targets[i] <= inEdges.targets[j])) visit(out.targets[i++]);
    else if (j < jEnd) visit(inEdges.targets[j++]);
    else return;
  }
}

function kindIndex(nodes: readonly GraphNode[]): Map<string, Int32Array> {
  const lists = new Map<string, number[]>();
  nodes.forEach((node, id) => {
    const list = lists.get(node.kind);
    if (list) list.push(id);
    else lists.set(node.kind, [id]);
  });
  return new Map(Array.from(lists, ([kind, list]) => [kind, Int32Array.from(list)]));
}
