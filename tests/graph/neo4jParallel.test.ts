import { describe, expect, it } from 'vitest';
import { disjointRounds, runLimited } from '../../graph/neo4jParallel.ts';
import { createRandom } from '../../bench/random.ts';

describe('disjointRounds', () => {
  /** Random edges between nodes 0..99, each node in part node % parts. */
  function edges(seed: number, count: number): [number, number][] {
    const random = createRandom(seed);
    return Array.from({ length: count }, () => [random.int(100), random.int(100)]);
  }

  it.each([2, 4, 6, 8])('puts every edge in exactly one group, and no two groups of a round share a part (%i parts)', (parts) => {
    const all = edges(parts, 2_000);
    const partOf = (node: number) => node % parts;
    const rounds = disjointRounds(all, ([a, b]) => [partOf(a), partOf(b)], parts);
    expect(rounds.flat(2).sort()).toEqual([...all].sort());
    for (const round of rounds) {
      const used = round.map((group) => new Set(group.flatMap(([a, b]) => [partOf(a), partOf(b)])));
      for (let i = 0; i < used.length; i++) {
        for (let j = i + 1; j < used.length; j++) expect([...used[i]].filter((p) => used[j].has(p))).toEqual([]);
      }
    }
    // pairs of distinct parts in parts - 1 rounds, then the edges within a part
    expect(rounds).toHaveLength(parts);
    expect(rounds.every((round) => round.length === parts / 2 || round === rounds[parts - 1])).toBe(true);
    expect(rounds[parts - 1]).toHaveLength(parts);
  });

  it('leaves out empty groups and rounds', () => {
    expect(disjointRounds([], () => [0, 0], 4)).toEqual([]);
    expect(disjointRounds(['x', 'y'], () => [1, 2], 4)).toEqual([[['x', 'y']]]);
  });

  it('needs an even number of parts', () => {
    expect(() => disjointRounds([1], () => [0, 0], 3)).toThrow(/even number of parts, got 3/);
  });
});

describe('runLimited', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

  it('runs every job, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    const jobs = Array.from({ length: 12 }, (_, i) => async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      done.push(i);
      running--;
    });
    await runLimited(jobs, 3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(most).toBe(3);
  });

  it('starts no job after a failure, waits for the running ones, and throws the first failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const jobs = Array.from({ length: 10 }, (_, i) => async () => {
      started.push(i);
      await tick();
      if (i === 1) throw new Error('batch 1 failed');
      if (i === 2) throw new Error('batch 2 failed');
      finished.push(i);
    });
    await expect(runLimited(jobs, 2)).rejects.toThrow('batch 1 failed');
    expect(started).toEqual([0, 1, 2]);
    expect(finished).toEqual([0]);
  });
});
