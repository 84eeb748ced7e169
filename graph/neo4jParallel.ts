/**
 * Running write batches of a full sync several at a time without deadlocks.
 * Creating a relationship locks both its nodes, so two transactions that
 * create relationships on shared nodes in different orders can deadlock.
 * disjointRounds() orders the work so that the transactions running at the
 * same time never share a node: the nodes are split into parts, and each
 * round writes the edges between pairs of parts that no other pair of the
 * round uses.
 */

/**
 * Runs the jobs, at most `limit` at a time, in order. After a failure no job
 * starts; the running ones are awaited and the first failure is thrown.
 */
export async function runLimited(jobs: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < jobs.length) {
      const job = jobs[next++];
      try {
        await job();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  if (failure !== undefined) throw failure.error;
}

/**
 * The items (edges) in rounds of groups: `partsOf` gives the parts of an
 * item's two nodes, each in [0, parts); `parts` is even. Within a round no two
 * groups hold items with a part in common, so the groups of a round can be
 * written at the same time. The rounds: the pairs of distinct parts in
 * `parts - 1` rounds of `parts / 2` disjoint pairs (the circle method of a
 * round-robin tournament), then one round of the items within a part. Empty
 * groups and rounds are left out.
 */
export function disjointRounds<T>(items: readonly T[], partsOf: (item: T) => readonly [number, number], parts: number): T[][][] {
  if (parts < 2 || parts % 2 !== 0) throw new RangeError(`disjointRounds needs an even number of parts, got ${parts}`);
  const blocks = new Map<number, T[]>();
  for (const item of items) {
    const [a, b] = partsOf(item);
    const key = Math.min(a, b) * parts + Math.max(a, b);
    const block = blocks.get(key);
    if (block) block.push(item);
    else blocks.set(key, [item]);
  }
  const take = (a: number, b: number): T[] => blocks.get(Math.min(a, b) * parts + Math.max(a, b)) ?? [];
  const rounds: T[][][] = [];
  const ring = Array.from({ length: parts - 1 }, (_, i) => i + 1);
  for (let r = 0; r < parts - 1; r++) {
    const order = [0, ...ring.slice(r), ...ring.slice(0, r)];
    rounds.push(Array.from({ length: parts / 2 }, (_, i) => take(order[i], order[parts - 1 - i])));
  }
  rounds.push(Array.from({ length: parts }, (_, p) => take(p, p)));
  return rounds.map((round) => round.filter((group) => group.length > 0)).filter((round) => round.length > 0);
}
