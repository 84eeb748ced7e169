import { describe, expect, it } from 'vitest';
import type { CmdbEvent } from '../../core/events.ts';
import { InMemoryEventBus } from '../../core/InMemoryEventBus.ts';

const now = () => new Date('2026-03-03T10:00:00Z');
const moved = (commit: string) => ({ commit, entities: 1, violations: 0, mode: 'rebuild' as const, seconds: 0 });

describe('InMemoryEventBus', () => {
  it('delivers typed events to subscribers of their type and to subscribers of all, in order', async () => {
    const bus = new InMemoryEventBus({ now });
    const moves: string[] = [];
    const all: string[] = [];
    bus.subscribe('catalogMoved', (e) => void moves.push(e.data.commit));
    bus.subscribeAll((e) => void all.push(e.type));
    const event = bus.publish('catalogMoved', moved('a'));
    bus.publish('changeRecorded', { id: 'x#1', repository: 'x', number: 1, mergeCommit: 'm', decision: 'pass' });
    bus.publish('catalogMoved', moved('b'));
    expect(event).toEqual({ type: 'catalogMoved', at: '2026-03-03T10:00:00.000Z', data: moved('a') });
    await bus.settled();
    expect(moves).toEqual(['a', 'b']);
    expect(all).toEqual(['catalogMoved', 'changeRecorded', 'catalogMoved']);
  });

  it('never lets a publisher wait for or fail because of a listener, and keeps a failing listener subscribed', async () => {
    const errors: unknown[] = [];
    const bus = new InMemoryEventBus({ onListenerError: (e) => errors.push((e as Error).message) });
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe('catalogMoved', async (e) => {
      if (e.data.commit === 'a') await gate;
      if (e.data.commit === 'b') throw new Error('listener broke');
      seen.push(e.data.commit);
    });
    bus.publish('catalogMoved', moved('a'));
    bus.publish('catalogMoved', moved('b'));
    bus.publish('catalogMoved', moved('c'));
    expect(seen).toEqual([]); // the slow listener holds its own queue, in order
    release();
    await bus.settled();
    expect(seen).toEqual(['a', 'c']);
    expect(errors).toEqual(['listener broke']);
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new InMemoryEventBus();
    const seen: CmdbEvent[] = [];
    const off = bus.subscribeAll((e) => void seen.push(e));
    bus.publish('catalogMoved', moved('a'));
    off();
    bus.publish('catalogMoved', moved('b'));
    await bus.settled();
    expect(seen.map((e) => e.type === 'catalogMoved' && e.data.commit)).toEqual(['a']);
  });
});
