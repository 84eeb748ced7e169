import type { Snapshot } from '../catalog/types.ts';

/**
 * A value computed once per served commit: `compute` runs on the first call
 * after the commit moves, later calls return what it gave; `fallback` while
 * no commit is served.
 */
export function perCommit<T>(snapshot: () => Snapshot | undefined, compute: (s: Snapshot) => T, fallback: T): () => T {
  let last: { commit: string; value: T } | undefined;
  return () => {
    const s = snapshot();
    if (!s) return fallback;
    if (last?.commit !== s.commit) last = { commit: s.commit, value: compute(s) };
    return last.value;
  };
}
