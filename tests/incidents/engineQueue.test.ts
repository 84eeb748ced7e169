import { describe, expect, it } from 'vitest';
import { CoalescingQueue } from '../../incidents/engine/CoalescingQueue.ts';

/** A queue whose runs wait until released, recording the batches it was given. */
function rig(fail?: (items: string[]) => boolean) {
  const batches: Array<[string, string[]]> = [];
  const gates: Array<() => void> = [];
  const queue = new CoalescingQueue<string>(async (items, kind) => {
    batches.push([kind, [...items]]);
    await new Promise<void>((release) => gates.push(release));
    if (fail?.(items)) throw new Error(`failed ${items.join(',')}`);
  });
  /** Lets the running batch finish and the next one start. */
  const release = async () => {
    await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { queue, batches, release };
}

describe('CoalescingQueue', () => {
  it('items pushed while a batch runs join the waiting batch of their kind, in order; another kind or join:false starts a new one', async () => {
    const { queue, batches, release } = rig();
    const first = queue.push(['a'], 'finding');
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([['finding', ['a']]]);
    const pushed = [queue.push(['b'], 'finding'), queue.push(['c', 'd'], 'finding'), queue.push(['t'], 'tick'), queue.push(['e'], 'tick'), queue.push(['alert'], 'alert', false), queue.push(['f'], 'finding'), queue.push(['g'], 'finding')];
    for (let i = 0; i < 6; i++) await release();
    await Promise.all([first, ...pushed]);
    expect(batches).toEqual([
      ['finding', ['a']],
      ['finding', ['b', 'c', 'd']],
      ['tick', ['t', 'e']],
      ['alert', ['alert']],
      ['finding', ['f', 'g']],
    ]);
  });

  it('pushes in one go join one batch; a failed batch rejects for each of its pushes and the queue goes on', async () => {
    const { queue, batches, release } = rig((items) => items.includes('bad'));
    const results = [queue.push(['a'], 'finding'), queue.push(['bad'], 'finding')].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    const after = queue.push(['z'], 'alert', false);
    await release();
    await release();
    expect(await Promise.all(results)).toEqual(['failed a,bad', 'failed a,bad']);
    await after;
    expect(batches).toEqual([
      ['finding', ['a', 'bad']],
      ['alert', ['z']],
    ]);
    await queue.settled();
  });
});
