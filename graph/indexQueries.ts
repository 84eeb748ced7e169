import type { RefString, RelationType } from '../catalog/types.ts';
import type { Csr } from './csr.ts';
import { mergeRows, RELATION_CODES, relationMask, type GraphIndex, type RelationCsr } from './GraphIndex.ts';
import type { Direction, Neighbour, PathOptions } from './GraphStore.ts';
import { orderedBfs, pathFromParents, type Expand } from './traversal.ts';

/** GraphStore.neighbours of node `id`: by relation name, `in` before `out`, then ref. */
export function neighboursOf(index: GraphIndex, id: number, direction: Direction, relations?: readonly RelationType[]): Neighbour[] {
  const mask = relationMask(relations);
  const ins = direction === 'out' ? [] : bucketByCode(index.in, id, mask);
  const outs = direction === 'in' ? [] : bucketByCode(index.out, id, mask);
  const found: Neighbour[] = [];
  RELATION_CODES.forEach((relation, code) => {
    for (const v of ins[code] ?? []) found.push({ ref: index.refs[v], relation, direction: 'in' });
    for (const v of outs[code] ?? []) found.push({ ref: index.refs[v], relation, direction: 'out' });
  });
  return found;
}

/** Row `id` split by relation code, each bucket ascending. */
function bucketByCode(csr: RelationCsr, id: number, mask: number): number[][] {
  const buckets: number[][] = [];
  for (let i = csr.offsets[id]; i < csr.offsets[id + 1]; i++) {
    const code = csr.codes[i];
    if (mask & (1 << code)) (buckets[code] ??= []).push(csr.targets[i]);
  }
  return buckets;
}

/** GraphStore.shortestPath between node ids. */
export function shortestPathBetween(index: GraphIndex, from: number, to: number, options: PathOptions = {}): RefString[] | null {
  if (from === to) return [index.refs[from]];
  const expand = pathExpand(index, relationMask(options.relations), options.direction ?? 'both');
  const { parent } = orderedBfs(index.refs.length, [from], expand, { stopAt: to });
  return parent[to] < 0 ? null : pathFromParents(parent, to).map((id) => index.refs[id]);
}

/** Successors along the masked relations: out-edges, plus in-edges when `both`. */
function pathExpand(index: GraphIndex, mask: number, direction: 'out' | 'both'): Expand {
  const inMask = direction === 'both' ? mask : 0;
  return (u, visit) => mergeRows(index.out, index.in, u, mask, inMask, visit);
}

/** The dependsOn edges alone: rows ascending and distinct (self loops kept). */
export function dependsOnCsr(index: GraphIndex): Csr {
  const code = RELATION_CODES.indexOf('dependsOn');
  const { offsets, targets, codes } = index.out;
  const rowStarts = new Int32Array(offsets.length);
  const kept: number[] = [];
  for (let u = 0; u + 1 < offsets.length; u++) {
    for (let i = offsets[u]; i < offsets[u + 1]; i++) if (codes[i] === code) kept.push(targets[i]);
    rowStarts[u + 1] = kept.length;
  }
  return { offsets: rowStarts, targets: Int32Array.from(kept) };
}
