import { describe, expect, it } from 'vitest';
import type { EngineInput } from '../../incidents/types.ts';
import type { IncidentTransaction } from '../../state/IncidentRecords.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';
import type { EntityFixture, SnapshotFixture } from '../graph/fixtures.ts';
import { clear, fire, rig, settings, t, tick } from './engineFixture.ts';

/**
 * Batches: inputs given to one `apply` (or split over a few) end in the same
 * state as the same inputs applied one call each, in one store transaction
 * per run of inputs between commands.
 */

/** Two clusters, 4 resources on each, 2 components depending on each resource, one more component depending on each of those. */
function zones(): SnapshotFixture {
  const entities: (string | EntityFixture)[] = [];
  const relations: string[] = [];
  const crit = ['critical', 'high', 'medium', 'low'] as const;
  for (const c of [1, 2]) {
    entities.push(`cluster:c${c}`);
    for (let r = 1; r <= 4; r++) {
      entities.push({ ref: `resource:c${c}r${r}`, criticality: crit[r % 4] });
      relations.push(`resource:c${c}r${r} runsOn cluster:c${c}`);
      for (let k = 1; k <= 2; k++) {
        entities.push({ ref: `component:c${c}r${r}k${k}`, criticality: crit[(r + k) % 4] });
        relations.push(`component:c${c}r${r}k${k} dependsOn resource:c${c}r${r}`);
        entities.push(`component:c${c}r${r}k${k}u`);
        relations.push(`component:c${c}r${r}k${k}u dependsOn component:c${c}r${r}k${k}`);
      }
    }
  }
  return { commit: 'b47c400000000000000000000000000000000001', entities, relations };
}

const refsOf = (f: SnapshotFixture) => f.entities.map((e) => (typeof e === 'string' ? e : e.ref)).map((r) => r.replace(':', ':default/'));

/** A deterministic walk: entities failing and recovering (flaps, reopenings, re-roots, merges, recurrences), ticks between. */
function story(refs: string[], seed: number, length: number): EngineInput[] {
  let x = seed;
  const next = (n: number) => ((x = (x * 1103515245 + 12345) % 2147483648), x % n);
  const firing = new Set<string>();
  const inputs: EngineInput[] = [];
  let seconds = 0;
  for (let i = 0; i < length; i++) {
    seconds += next(4) === 0 ? 20 + next(90) : next(3);
    const ref = refs[next(refs.length)];
    const roll = next(10);
    if (roll < 2) inputs.push(tick(seconds));
    else if (firing.has(ref) && roll < 6) {
      firing.delete(ref);
      inputs.push(clear(ref, seconds));
    } else {
      firing.add(ref);
      inputs.push(fire(ref, seconds));
    }
  }
  inputs.push(tick(seconds + 40), ...[...firing].sort().map((ref) => clear(ref, seconds + 50)), tick(seconds + 200));
  return inputs;
}

/** The store's state without what counts writes (revisions, and the notifications named after them). */
const state = (s: InMemoryIncidentStore) => ({
  signals: s.signals(),
  incidents: s.incidents().map(({ revision: _r, ...i }) => i),
  problems: s.problems().map(({ revision: _r, ...p }) => p),
});

/** A store counting its commits. */
class CountingStore extends InMemoryIncidentStore {
  commits = 0;
  override async commit(tx: IncidentTransaction): Promise<void> {
    this.commits++;
    await super.commit(tx);
  }
}

async function runAll(inputs: EngineInput[], forMs: number, split: (inputs: EngineInput[]) => EngineInput[][], notifyTargets?: () => string[]) {
  const store = new CountingStore();
  const r = await rig({ fixture: zones(), store, settings: settings({ forMs, problems: { count: 2, periodMs: 86_400_000 } }), notifyTargets });
  for (const part of split(inputs)) await r.engine.apply(part);
  return { store, r };
}

const oneByOne = (inputs: EngineInput[]) => inputs.map((i) => [i]);
const together = (inputs: EngineInput[]) => [inputs];
const chunks = (size: number) => (inputs: EngineInput[]) => Array.from({ length: Math.ceil(inputs.length / size) }, (_, i) => inputs.slice(i * size, (i + 1) * size));

describe('IncidentEngine: batches of inputs', () => {
  for (const forMs of [0, 30_000]) {
    it(`one apply of many signals ends as applying them one by one (for: ${forMs / 1000}s), in one transaction`, async () => {
      const refs = refsOf(zones());
      const seen = new Set<string>();
      for (const seed of [1, 2, 3]) {
        const inputs = story(refs, seed, 300);
        const single = await runAll(inputs, forMs, oneByOne);
        const batch = await runAll(inputs, forMs, together);
        const split = await runAll(inputs, forMs, chunks(7));
        // The walk does what it is meant to: several incidents, correlated entities, merges, reopenings, problems.
        const incidents = single.store.incidents();
        expect(incidents.length).toBeGreaterThan(3);
        expect(incidents.some((i) => i.correlated.length > 0)).toBe(true);
        const types = new Set(incidents.flatMap((i) => i.timeline.map((e) => e.type)));
        for (const type of types) seen.add(type);
        expect(state(batch.store)).toEqual(state(single.store));
        expect(state(split.store)).toEqual(state(single.store));
        expect(batch.store.commits).toBe(1);
        expect(single.store.commits).toBeGreaterThan(50);
      }
      for (const type of ['opened', 'correlated', 'new-root', 'merged', 'signal-cleared', 'resolved', 'reopened', 'problem']) expect(seen).toContain(type);
    });
  }

  it('a zone failing all at once: one transaction, one event per incident, the same incident as one by one', async () => {
    const refs = refsOf(zones()).filter((r) => r.includes('c1'));
    const inputs = refs.map((ref, i) => fire(ref, i * 0.01)).reverse();
    const single = await runAll(inputs, 0, oneByOne);
    const batch = await runAll(inputs, 0, together);
    expect(state(batch.store)).toEqual(state(single.store));
    const open = batch.store.incidents({ state: 'unresolved' });
    expect(open.map((i) => [i.root, i.correlated.length])).toEqual([['cluster:default/c1', refs.length - 1]]);
    expect(batch.store.commits).toBe(1);
    await batch.r.bus.settled();
    const changed = batch.r.events.filter((e) => e.type === 'incidentChanged').map((e) => e.data as { id: string; change: string; revision: number });
    // Every incident the batch wrote, once: the survivor opened, those merged into it (opened and resolved within the batch) reported as opened.
    expect(changed.map((c) => c.id).sort()).toEqual(batch.store.incidents().map((i) => i.id).sort());
    expect(changed.every((c) => c.revision === 1 && c.change === 'opened')).toBe(true);
  });

  it('a zone failing all at once notifies the one incident that stays, not those merged into it within the batch', async () => {
    const refs = refsOf(zones()).filter((r) => r.includes('c1'));
    const inputs = refs.map((ref, i) => fire(ref, i * 0.01)).reverse();
    const batch = await runAll(inputs, 0, together, () => ['webhook:ops']);
    const [survivor] = batch.store.incidents({ state: 'unresolved' });
    expect(batch.store.incidents().length).toBeGreaterThan(1);
    expect(batch.store.outbox().map((n) => [n.incident, n.event])).toEqual([[survivor.id, 'incident.opened']]);
    // One by one, each incident was seen opening: each is notified, the merged ones also as resolved.
    const single = await runAll(inputs, 0, oneByOne, () => ['webhook:ops']);
    expect(new Set(single.store.outbox().map((n) => n.incident)).size).toBe(single.store.incidents().length);
  });

  it('commands split batches: each is its own transaction, the inputs around it batched', async () => {
    const DB = 'resource:default/c1r1';
    const inputs: EngineInput[] = [
      fire(DB, 0),
      fire('component:default/c1r1k1', 1),
      tick(30),
      { type: 'command', command: { id: 'a1', type: 'acknowledge', incident: 'INC-1', by: 'alice', at: t(31) } },
      clear(DB, 40),
      clear('component:default/c1r1k1', 41),
      tick(120),
    ];
    const single = await runAll(inputs, 30_000, oneByOne);
    const batch = await runAll(inputs, 30_000, together);
    expect(state(batch.store)).toEqual(state(single.store));
    expect(batch.store.incident('INC-1')).toMatchObject({ state: 'resolved', acknowledgedAt: t(31) });
    expect(batch.store.commits).toBe(3);
  });

  it('an input failing within a batch: the inputs before it are kept (one transaction), it and those after are not', async () => {
    const DB = 'resource:default/c1r1';
    const store = new CountingStore();
    const r = await rig({ fixture: zones(), store });
    await expect(r.engine.apply([fire(DB, 0), tick(30), { type: 'tick', at: 'yesterday' }, fire('component:default/c1r1k1', 31)])).rejects.toThrow('time "yesterday" is not an ISO 8601 date');
    expect(store.commits).toBe(1);
    expect(store.incidents().map((i) => i.root)).toEqual([DB]);
    expect(store.signal('component:default/c1r1k1|kubernetes|unhealthy')).toBeUndefined();
    const failing = new CountingStore();
    const f = await rig({ fixture: zones(), store: failing });
    await expect(f.engine.apply([{ type: 'tick', at: 'soon' }, fire(DB, 0)])).rejects.toThrow('time "soon"');
    expect(failing.commits).toBe(0);
    expect(failing.signals()).toEqual([]);
  });
});
