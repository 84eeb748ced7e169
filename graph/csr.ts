/**
 * Compressed sparse rows: the successors of node `u` are
 * `targets[offsets[u] .. offsets[u + 1])`. Nodes are ids `0 .. size - 1`.
 */
export interface Csr {
  offsets: Int32Array;
  targets: Int32Array;
}

/** Node ids must stay below this so that `(from * size + to) * 8 + tag` is an exact double. */
export const MAX_CSR_NODES = 30_000_000;

/**
 * Builds a CSR from `count` edges `from[i] -> to[i]`: each row ascending and
 * distinct. Self loops are kept unless `dropSelfLoops`.
 */
export function csrFromPairs(
  size: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  count: number,
  dropSelfLoops = false,
): Csr {
  const keys = new Float64Array(count);
  let m = 0;
  for (let i = 0; i < count; i++) {
    if (dropSelfLoops && from[i] === to[i]) continue;
    keys[m++] = from[i] * size + to[i];
  }
  const sorted = keys.subarray(0, m).sort();
  const offsets = new Int32Array(size + 1);
  const targets = new Int32Array(m);
  let n = 0;
  let last = -1;
  for (let i = 0; i < m; i++) {
    const key = sorted[i];
    if (key === last) continue;
    last = key;
    const t = key % size;
    offsets[(key - t) / size + 1]++;
    targets[n++] = t;
  }
  prefixSum(offsets);
  return { offsets, targets: targets.slice(0, n) };
}

/** In place: counts per row (at index row + 1) become row offsets. */
export function prefixSum(offsets: Int32Array): void {
  for (let i = 1; i < offsets.length; i++) offsets[i] += offsets[i - 1];
}

/** Number of nodes of a CSR. */
export const csrSize = (csr: Csr): number => csr.offsets.length - 1;
