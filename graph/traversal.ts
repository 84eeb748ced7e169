import type { Csr } from './csr.ts';

/** Calls `visit` with the successors of `node` in ascending id order; repeats are allowed. */
export type Expand = (node: number, visit: (next: number) => void) => void;

/** `parent` value of a root. */
export const ROOT = -1;
/** `parent` value of a node not reached. */
export const UNREACHED = -2;

export interface BfsResult {
  /** `layers[d]`: nodes at distance d in path order; `layers[0]` are the roots. */
  layers: number[][];
  /** Node each node was discovered from, or ROOT / UNREACHED. */
  parent: Int32Array;
}

export interface BfsOptions {
  /** Stop after this distance (default: unlimited). */
  maxDistance?: number;
  /** Stop as soon as this node is reached. */
  stopAt?: number;
}

/**
 * Breadth-first search from ascending, distinct roots. When node ids are ordered
 * like refs, every reached node's path is the lexicographically smallest of its
 * shortest paths: a layer is expanded in path order, a node's successors in id
 * order, and the first discovery wins (so the next layer is in path order too).
 */
export function orderedBfs(size: number, roots: readonly number[], expand: Expand, options: BfsOptions = {}): BfsResult {
  const parent = new Int32Array(size).fill(UNREACHED);
  for (const r of roots) parent[r] = ROOT;
  const layers: number[][] = [roots.slice()];
  const maxDistance = options.maxDistance ?? Infinity;
  const stopAt = options.stopAt ?? -1;
  let from = 0;
  let next: number[] = [];
  const visit = (v: number): void => {
    if (parent[v] !== UNREACHED) return;
    parent[v] = from;
    next.push(v);
  };
  while (layers.length - 1 < maxDistance) {
    const current = layers[layers.length - 1];
    next = [];
    for (let i = 0; i < current.length; i++) {
      from = current[i];
      expand(from, visit);
      if (stopAt >= 0 && parent[stopAt] !== UNREACHED) break;
    }
    if (next.length === 0) break;
    layers.push(next);
    if (stopAt >= 0 && parent[stopAt] !== UNREACHED) break;
  }
  return { layers, parent };
}

/** Expand over a CSR. */
export function csrExpand(csr: Csr): Expand {
  const { offsets, targets } = csr;
  return (u, visit) => {
    for (let i = offsets[u], end = offsets[u + 1]; i < end; i++) visit(targets[i]);
  };
}

/** The path from a root to `node`, both included, read from a BFS parent array. */
export function pathFromParents(parent: Int32Array, node: number): number[] {
  const path = [node];
  for (let u = parent[node]; u >= 0; u = parent[u]) path.push(u);
  return path.reverse();
}

/**
 * Strongly connected components that contain a cycle (more than one node, or a
 * self loop), each ascending, in ascending order of their smallest node.
 * Iterative Tarjan.
 */
export function cyclicComponents(csr: Csr): number[][] {
  const { offsets, targets } = csr;
  const size = offsets.length - 1;
  const index = new Int32Array(size).fill(-1);
  const low = new Int32Array(size);
  const onStack = new Uint8Array(size);
  const stack: number[] = [];
  const frames: number[] = []; // pairs: node, next edge position
  const found: number[][] = [];
  let counter = 0;
  for (let start = 0; start < size; start++) {
    if (index[start] >= 0) continue;
    frames.push(start, offsets[start]);
    index[start] = low[start] = counter++;
    stack.push(start);
    onStack[start] = 1;
    while (frames.length > 0) {
      const top = frames.length - 2;
      const u = frames[top];
      const pos = frames[top + 1];
      if (pos < offsets[u + 1]) {
        frames[top + 1] = pos + 1;
        const v = targets[pos];
        if (index[v] < 0) {
          index[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = 1;
          frames.push(v, offsets[v]);
        } else if (onStack[v]) {
          low[u] = Math.min(low[u], index[v]);
        }
        continue;
      }
      frames.length = top;
      if (top > 0) {
        const p = frames[top - 2];
        low[p] = Math.min(low[p], low[u]);
      }
      if (low[u] !== index[u]) continue;
      const component: number[] = [];
      let v: number;
      do {
        v = stack.pop()!;
        onStack[v] = 0;
        component.push(v);
      } while (v !== u);
      if (component.length > 1 || hasSelfLoop(csr, u)) found.push(component.sort((a, b) => a - b));
    }
  }
  return found.sort((a, b) => a[0] - b[0]);
}

function hasSelfLoop(csr: Csr, u: number): boolean {
  for (let i = csr.offsets[u]; i < csr.offsets[u + 1]; i++) if (csr.targets[i] === u) return true;
  return false;
}
