import { describe, expect, it } from 'vitest';
import { clear, fire, rig, settings, t, tick } from './engineFixture.ts';

const DB = 'resource:default/db';
const API = 'component:default/api';
const WEB = 'component:default/web';
const WORKER = 'component:default/worker';
const OTHER = 'component:default/other';
const CLUSTER = 'cluster:default/prod';

describe('IncidentEngine: opening and correlation', () => {
  it('a dependency failing before its dependent makes one incident at the dependency', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), fire(API, 5), tick(40));
    const incidents = r.store.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: 'INC-1', state: 'open', root: DB, correlated: [API], title: `${DB} unhealthy`, openedAt: t(40) });
    expect(incidents[0].signals.sort()).toEqual([`${API}|kubernetes|unhealthy`, `${DB}|kubernetes|unhealthy`]);
    expect(r.store.signal(`${API}|kubernetes|unhealthy`)?.incident).toBe('INC-1');
    expect(incidents[0].timeline.map((e) => e.type)).toEqual(['opened', 'correlated']);
  });

  it('a dependent failing first, its dependency later: the dependency becomes the new root of the same incident', async () => {
    const r = await rig();
    await r.run(fire(API, 0), fire(DB, 5), tick(31));
    expect(r.store.incidents().map((i) => [i.id, i.root])).toEqual([['INC-1', API]]);
    await r.run(tick(36));
    const [incident] = r.store.incidents();
    expect(r.store.incidents()).toHaveLength(1);
    expect(incident).toMatchObject({ id: 'INC-1', root: DB, correlated: [API], title: `${DB} unhealthy` });
    const newRoot = incident.timeline.find((e) => e.type === 'new-root');
    expect(newRoot).toMatchObject({ at: t(36), by: 'cmdb' });
    expect(newRoot?.message).toContain(DB);
  });

  it('both due in the same tick, the dependent first: still one incident at the dependency', async () => {
    const r = await rig();
    await r.run(fire(API, 0), fire(DB, 5), tick(60));
    expect(r.store.incidents().map((i) => [i.root, i.correlated])).toEqual([[DB, [API]]]);
  });

  it('two unrelated failures make two incidents', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), fire(OTHER, 1), tick(40));
    expect(r.store.incidents().map((i) => i.root).sort()).toEqual([OTHER, DB].sort());
    expect(r.store.incidents().every((i) => i.correlated.length === 0)).toBe(true);
  });

  it('a related failure outside the correlation window opens its own incident', async () => {
    const r = await rig({ settings: settings({ correlation: { windowMs: 60_000, depth: 3 } }) });
    await r.run(fire(DB, 0), tick(30), clear(DB, 35), fire(API, 200), tick(230));
    expect(r.store.incidents().map((i) => i.root).sort()).toEqual([API, DB]);
  });

  it('beyond the correlation depth there is no path: two incidents', async () => {
    const r = await rig({ settings: settings({ correlation: { windowMs: 120_000, depth: 1 } }) });
    await r.run(fire(DB, 0), fire(WEB, 1), tick(40));
    expect(r.store.incidents()).toHaveLength(2);
  });

  it('a flap shorter than `for` opens nothing, and its cleared signal is forgotten', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), clear(DB, 20), fire(DB, 25), clear(DB, 50), tick(100));
    expect(r.store.incidents()).toEqual([]);
    expect(r.store.signals()).toEqual([]);
    expect(r.engine.nextDue()).toBeUndefined();
  });

  it('a signal that lasted `for` but cleared before any tick still opens an incident (then resolves)', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), clear(DB, 45));
    const [incident] = r.store.incidents();
    expect(incident).toMatchObject({ root: DB, clearSince: t(45), state: 'open' });
    await r.run(tick(105));
    expect(r.store.incident(incident.id)?.state).toBe('resolved');
  });

  it('nextDue names when a pending signal reaches `for` and when a clear incident resolves', async () => {
    const r = await rig();
    expect(r.engine.nextDue()).toBeUndefined();
    await r.run(fire(DB, 0), fire(OTHER, 10));
    expect(r.engine.nextDue()).toBe(t(30));
    await r.run(tick(30));
    expect(r.engine.nextDue()).toBe(t(40));
    await r.run(tick(40), clear(DB, 50));
    expect(r.engine.nextDue()).toBe(t(110));
  });

  it('an unknown finding never opens an incident on a workload, but does on a cluster', async () => {
    const r = await rig();
    await r.run(fire(API, 0, 'unknown'), fire(CLUSTER, 0, 'unknown'), tick(100));
    expect(r.store.incidents().map((i) => i.root)).toEqual([CLUSTER]);
    expect(r.store.signal(`${API}|kubernetes|unknown`)).toMatchObject({ state: 'firing' });
    expect(r.store.signal(`${API}|kubernetes|unknown`)?.incident).toBeUndefined();
  });

  it('an alert mapping to no entity opens its own incident without topology', async () => {
    const r = await rig();
    await r.run(fire(undefined, 0, 'alert', { field: 'HighErrorRate', labels: { severity: 'critical' } }), fire(DB, 0), tick(30));
    const alert = r.store.incidents().find((i) => i.root === null)!;
    expect(alert).toMatchObject({ title: 'alert HighErrorRate', severity: 'critical', correlated: [], impacted: [] });
    expect(r.store.incidents()).toHaveLength(2);
  });

  it('sync fires the listed signals of a source and clears its others', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), fire(OTHER, 0), fire(undefined, 0, 'alert', { field: 'X' }));
    const db = fire(DB, 20);
    await r.run({ type: 'sync', source: 'kubernetes', at: t(20), signals: [db.type === 'fire' ? db.signal : (undefined as never)] });
    expect(r.store.signals().map((s) => [s.ref ?? s.field, s.state, s.lastSeen])).toEqual([
      ['X', 'firing', t(0)],
      [DB, 'firing', t(20)],
    ]);
  });
});

describe('IncidentEngine: runbooks', () => {
  it('lists the runbooks of the root and correlated entities, again when they change', async () => {
    const asked: string[][] = [];
    const runbooks = (refs: readonly string[]) => (asked.push([...refs]), refs.map((ref) => ({ path: `runbooks/${ref.split('/')[1]}.md`, title: `Runbook for ${ref}` })));
    const r = await rig({ runbooks });
    await r.run(fire(API, 0), tick(30));
    expect(r.store.incident('INC-1')?.runbooks).toEqual([{ path: 'runbooks/api.md', title: `Runbook for ${API}` }]);
    await r.run(fire(DB, 31), tick(61));
    expect(r.store.incident('INC-1')?.runbooks.map((b) => b.path)).toEqual(['runbooks/db.md', 'runbooks/api.md']);
    expect(asked).toEqual([[API], [DB, API]]);
  });
});

describe('IncidentEngine: merge, severity', () => {
  it('a dependency of two incidents merges them into the oldest, as its new root', async () => {
    const r = await rig();
    await r.run(fire(API, 0), tick(30), fire(WORKER, 10), tick(40));
    expect(r.store.incidents().map((i) => [i.id, i.root])).toEqual([
      ['INC-2', WORKER],
      ['INC-1', API],
    ]);
    await r.run(fire(DB, 50), tick(80));
    const survivor = r.store.incident('INC-1')!;
    const merged = r.store.incident('INC-2')!;
    expect(survivor).toMatchObject({ state: 'open', root: DB });
    expect(survivor.correlated.sort()).toEqual([API, WORKER]);
    expect(survivor.signals).toHaveLength(3);
    expect(merged.state).toBe('resolved');
    expect(merged.timeline.at(-1)).toMatchObject({ type: 'merged', message: 'merged into INC-1' });
    expect(r.store.signal(`${WORKER}|kubernetes|unhealthy`)?.incident).toBe('INC-1');
    expect(r.store.incidents({ state: 'unresolved' }).map((i) => i.id)).toEqual(['INC-1']);
  });

  it('severity is the highest criticality of the root and its impact, recomputed (on the timeline) when the root changes', async () => {
    const r = await rig();
    await r.run(fire(WORKER, 0), tick(30));
    expect(r.store.incident('INC-1')).toMatchObject({ severity: 'low', impacted: [], impactedCount: 0 });
    await r.run(fire(DB, 35), tick(65));
    const incident = r.store.incident('INC-1')!;
    expect(incident.severity).toBe('critical');
    expect(incident.impacted).toEqual([
      { ref: API, distance: 1, criticality: 'medium' },
      { ref: WORKER, distance: 1, criticality: 'low' },
      { ref: WEB, distance: 2, criticality: 'critical' },
    ]);
    expect(incident.timeline.find((e) => e.type === 'severity')?.message).toBe('severity low -> critical');
    expect(incident.commit).toBe('e57a7e0000000000000000000000000000000001');
  });

  it('keeps the nearest impactedLimit impacted (distance, then highest criticality), the full count in impactedCount, severity from all of them', async () => {
    const r = await rig({ impactedLimit: 2 });
    await r.run(fire(DB, 0), tick(30));
    const incident = r.store.incident('INC-1')!;
    expect(incident.impacted).toEqual([
      { ref: API, distance: 1, criticality: 'medium' },
      { ref: WORKER, distance: 1, criticality: 'low' },
    ]);
    expect(incident.impactedCount).toBe(3);
    // WEB (critical, distance 2) is not listed, yet it makes the severity.
    expect(incident.severity).toBe('critical');
    const none = await rig({ impactedLimit: 0 });
    await none.run(fire(DB, 0), tick(30));
    expect(none.store.incident('INC-1')).toMatchObject({ impacted: [], impactedCount: 3, severity: 'critical' });
    const all = await rig();
    await all.run(fire(DB, 0), tick(30));
    expect(all.store.incident('INC-1')).toMatchObject({ impactedCount: 3 });
    expect(all.store.incident('INC-1')!.impacted.map((i) => i.ref)).toEqual([API, WORKER, WEB]);
  });

  it('refuses an impactedLimit that is not a whole number of entities, naming the option', async () => {
    for (const bad of [-1, 2.5, Number.NaN]) await expect(rig({ impactedLimit: bad })).rejects.toThrow(`incident engine option impactedLimit: ${JSON.stringify(bad)} is not a whole number`);
  });

  it("an entity without criticality whose impact has none is 'low'", async () => {
    const r = await rig();
    await r.run(fire('resource:default/cache', 0), tick(30));
    expect(r.store.incidents()[0].severity).toBe('low');
  });
});

describe('IncidentEngine: resolution and reopening', () => {
  it('resolves once every signal stayed clear for resolveAfter, not before; a signal firing again resets the wait', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), fire(API, 1), tick(31), clear(DB, 40), tick(120));
    expect(r.store.incident('INC-1')).toMatchObject({ state: 'open' });
    expect(r.store.incident('INC-1')?.clearSince).toBeUndefined();
    await r.run(clear(API, 130), fire(DB, 150), tick(200), clear(DB, 210), tick(269));
    expect(r.store.incident('INC-1')).toMatchObject({ state: 'open', clearSince: t(210) });
    await r.run(tick(270));
    const incident = r.store.incident('INC-1')!;
    expect(incident).toMatchObject({ state: 'resolved', resolvedAt: t(270) });
    expect(incident.timeline.at(-1)).toMatchObject({ type: 'resolved', by: 'cmdb' });
    expect(r.engine.nextDue()).toBeUndefined();
    expect(r.store.signals().every((s) => s.incident === 'INC-1')).toBe(true);
  });

  it('a fingerprint firing again within reopenWithin reopens its incident; later, it opens a new one after `for`', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), tick(30), clear(DB, 40), tick(100));
    expect(r.store.incident('INC-1')?.state).toBe('resolved');
    await r.run(fire(DB, 160));
    expect(r.store.incidents()).toHaveLength(1);
    expect(r.store.incident('INC-1')).toMatchObject({ state: 'open' });
    expect(r.store.incident('INC-1')?.resolvedAt).toBeUndefined();
    expect(r.store.incident('INC-1')?.timeline.at(-1)).toMatchObject({ type: 'reopened', at: t(160) });
    await r.run(clear(DB, 170), tick(230));
    expect(r.store.incident('INC-1')?.state).toBe('resolved');
    await r.run(fire(DB, 1000), tick(1029));
    expect(r.store.incidents()).toHaveLength(1);
    await r.run(tick(1030));
    expect(r.store.incidents().map((i) => [i.id, i.state])).toEqual([
      ['INC-2', 'open'],
      ['INC-1', 'resolved'],
    ]);
  });

  it('resolved by a person while firing: it stays resolved until the signal clears and fires again', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), tick(30), { type: 'command', command: { id: 'c1', type: 'resolve', incident: 'INC-1', by: 'alice', note: 'fixed by hand', at: t(40) } });
    await r.run(fire(DB, 50), tick(200));
    expect(r.store.incidents().map((i) => [i.id, i.state])).toEqual([['INC-1', 'resolved']]);
    expect(r.store.incident('INC-1')?.timeline.find((e) => e.type === 'resolved')).toMatchObject({ by: 'alice', note: 'fixed by hand' });
    await r.run(clear(DB, 210), fire(DB, 220));
    expect(r.store.incident('INC-1')?.state).toBe('resolved');
    await r.run(tick(250));
    expect(r.store.incidents().map((i) => [i.id, i.state])).toEqual([
      ['INC-2', 'open'],
      ['INC-1', 'resolved'],
    ]);
  });
});
