import { describe, expect, it } from 'vitest';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { correlate, type CorrelationCandidate } from '../../incidents/correlate.ts';
import { TopologyCache, upstreamOf } from '../../incidents/correlateTopology.ts';
import { buildSnapshot, SHOP } from '../graph/fixtures.ts';
import { ESTATE, fire, rig, settings, tick } from './engineFixture.ts';

const DB = 'resource:default/db';
const API = 'component:default/api';
const WEB = 'component:default/web';
const CACHE = 'resource:default/cache';

describe('upstreamOf', () => {
  it.each([
    ['SHOP', SHOP],
    ['ESTATE', ESTATE],
  ])('on %s, is exactly the entities whose impact reaches the root, at the same distance, for depths 1-3', async (_name, fixture) => {
    const snapshot = buildSnapshot(fixture);
    const graph = new InMemoryGraphStore({ snapshot });
    const refs = [...snapshot.entities.keys()];
    let nonEmpty = 0;
    for (const depth of [1, 2, 3]) {
      for (const root of refs) {
        const expected = new Map<string, number>();
        for (const other of refs) {
          const hit = (await graph.impact([other], { depth })).entities.find((e) => e.ref === root);
          if (hit && other !== root) expected.set(other, hit.distance);
        }
        const got = await upstreamOf(graph, root, depth);
        expect([...got].sort(), `${root} depth ${depth}`).toEqual([...expected].sort());
        if (got.size > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(3);
  });
});

describe('correlate', () => {
  const graph = new InMemoryGraphStore({ snapshot: buildSnapshot({ ...ESTATE, relations: [...ESTATE.relations!, 'component:api dependsOn resource:cache'] }) });
  const topology = new TopologyCache(graph);
  const candidate = async (id: string, openedAt: string, root: string, correlated: string[] = []): Promise<CorrelationCandidate> => ({ id, openedAt, root, correlated, topology: await topology.of(root, 3) });

  it('a common dependent of two failures joins the older; it merges nothing', async () => {
    const older = await candidate('INC-1', '2026-03-01T10:00:00.000Z', DB);
    const newer = await candidate('INC-2', '2026-03-01T10:01:00.000Z', CACHE);
    expect(correlate(API, [newer, older])).toEqual({ type: 'join', incident: 'INC-1', root: DB, merged: [] });
  });

  it('an entity downstream of one root and upstream of another merges the second into the first, keeping the first root', async () => {
    const a = await candidate('INC-1', '2026-03-01T10:00:00.000Z', DB);
    const b = await candidate('INC-2', '2026-03-01T10:01:00.000Z', WEB);
    expect(correlate(API, [a, b])).toEqual({ type: 'join', incident: 'INC-1', root: DB, merged: ['INC-2'] });
    // the oldest survives even when it is the one downstream; the root is still the upstream one
    const c = await candidate('INC-3', '2026-03-01T09:00:00.000Z', WEB);
    expect(correlate(API, [a, c])).toEqual({ type: 'join', incident: 'INC-3', root: DB, merged: ['INC-1'] });
  });

  it('no path: a new incident; already correlated: joins', async () => {
    expect(correlate('component:default/other', [await candidate('INC-1', '2026-03-01T10:00:00.000Z', DB)])).toEqual({ type: 'new' });
    expect(correlate(WEB, [await candidate('INC-1', '2026-03-01T10:00:00.000Z', API, [WEB])])).toEqual({ type: 'join', incident: 'INC-1', root: API, merged: [] });
  });

  it('in the engine: the dependent that links two incidents merges them under the upstream root', async () => {
    const r = await rig({ settings: settings({ correlation: { windowMs: 120_000, depth: 1 } }) });
    await r.run(fire(DB, 0), tick(30), fire(WEB, 1), tick(31));
    expect(r.store.incidents({ state: 'unresolved' }).map((i) => i.root)).toEqual([WEB, DB]);
    await r.run(fire(API, 40), tick(70));
    expect(r.store.incidents({ state: 'unresolved' }).map((i) => [i.id, i.root, i.correlated])).toEqual([['INC-1', DB, [WEB, API]]]);
    expect(r.store.incident('INC-2')?.timeline.at(-1)?.message).toBe('merged into INC-1');
  });
});
