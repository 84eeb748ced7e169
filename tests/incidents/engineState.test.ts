import { describe, expect, it } from 'vitest';
import { CmdbError } from '../../core/errors.ts';
import { IncidentEngine } from '../../incidents/engine/IncidentEngine.ts';
import type { EngineInput } from '../../incidents/types.ts';
import type { IncidentCommand } from '../../state/IncidentRecords.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';
import { clear, fire, rig, settings, t, tick } from './engineFixture.ts';

const DB = 'resource:default/db';
const API = 'component:default/api';
const OTHER = 'component:default/other';

/** One failure of the db: opens at base+30, resolves at base+100. */
const episode = (base: number): EngineInput[] => [fire(DB, base), tick(base + 30), clear(DB, base + 40), tick(base + 100)];
type CommandWithoutTime = IncidentCommand extends infer C ? (C extends IncidentCommand ? Omit<C, 'at'> & { at?: string } : never) : never;
const command = (c: CommandWithoutTime): EngineInput => ({ type: 'command', command: { at: t(50), ...c } as IncidentCommand });

/** The whole state of a store, to compare. */
const dump = (s: InMemoryIncidentStore) => ({ signals: s.signals(), incidents: s.incidents(), problems: s.problems(), outbox: s.outbox() });

describe('IncidentEngine: problems', () => {
  it('the third incident of one root and kind within the period opens a problem linking all three; the fourth links to it', async () => {
    const r = await rig();
    await r.run(...episode(0), ...episode(1000));
    expect(r.store.problems()).toEqual([]);
    await r.run(...episode(2000));
    const [problem] = r.store.problems();
    expect(problem).toMatchObject({ id: 'PRB-1', state: 'open', key: `${DB}|unhealthy`, root: DB, kind: 'unhealthy', incidents: ['INC-1', 'INC-2', 'INC-3'], openedAt: t(2030) });
    for (const id of ['INC-1', 'INC-2', 'INC-3']) {
      expect(r.store.incident(id)?.problem).toBe('PRB-1');
      expect(r.store.incident(id)?.timeline.some((e) => e.type === 'problem')).toBe(true);
    }
    await r.run(...episode(3000));
    expect(r.store.incident('INC-4')?.problem).toBe('PRB-1');
    expect(r.store.problem('PRB-1')?.incidents).toEqual(['INC-1', 'INC-2', 'INC-3', 'INC-4']);
    expect(r.events.filter((e) => e.type === 'problemChanged').map((e) => (e.data as { change: string }).change)).toEqual(['opened', 'updated']);
  });

  it('incidents older than the period do not count; another kind is another problem', async () => {
    const r = await rig({ settings: settings({ problems: { count: 3, periodMs: 1_800_000 } }) });
    await r.run(...episode(0), ...episode(1000), ...episode(2000));
    expect(r.store.problems()).toEqual([]);
    await r.run(fire(DB, 2500, 'drifted'), tick(2530), clear(DB, 2540, 'drifted'), tick(2600));
    expect(r.store.problems()).toEqual([]);
    await r.run(...episode(2700));
    expect(r.store.problem('PRB-1')?.incidents).toEqual(['INC-2', 'INC-3', 'INC-5']);
  });

  it('update-problem makes it a known error with a workaround, then resolved; a resolved problem links no more incidents', async () => {
    const r = await rig();
    await r.run(...episode(0), ...episode(1000), ...episode(2000));
    await r.run(command({ id: 'p1', type: 'update-problem', problem: 'PRB-1', state: 'known-error', workaround: 'restart the db', by: 'carol', at: t(2200) }));
    expect(r.store.problem('PRB-1')).toMatchObject({ state: 'known-error', workaround: 'restart the db', updatedAt: t(2200) });
    await r.run(...episode(3000));
    expect(r.store.incident('INC-4')?.problem).toBe('PRB-1');
    await r.run(command({ id: 'p2', type: 'update-problem', problem: 'PRB-1', state: 'resolved', by: 'carol', note: 'db upgraded', at: t(3200) }));
    expect(r.store.problem('PRB-1')).toMatchObject({ state: 'resolved', resolvedAt: t(3200) });
    expect(r.store.problem('PRB-1')?.timeline.at(-1)).toMatchObject({ by: 'carol', note: 'db upgraded' });
    await r.run(...episode(4000));
    expect(r.store.incident('INC-5')?.problem).toBeUndefined();
  });

  it('a root-less alert recurs by fingerprint', async () => {
    const r = await rig();
    const alert = (base: number): EngineInput[] => [fire(undefined, base, 'alert', { field: 'DiskFull' }), tick(base + 30), { type: 'clear', fingerprint: 'none|alertmanager|alert|DiskFull', at: t(base + 40) }, tick(base + 100)];
    await r.run(...alert(0), ...alert(1000), ...alert(2000));
    expect(r.store.problems().map((p) => [p.key, p.root, p.incidents])).toEqual([['none|alertmanager|alert|DiskFull', null, ['INC-1', 'INC-2', 'INC-3']]]);
  });
});

describe('IncidentEngine: commands', () => {
  it('acknowledge, note and resolve go on the timeline with who did it; each command applies once', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), tick(30));
    const ack = command({ id: 'a1', type: 'acknowledge', incident: 'INC-1', by: 'alice', note: 'looking' });
    await r.run(ack, ack, command({ id: 'n1', type: 'note', incident: 'INC-1', by: 'bob', note: 'db logs show OOM', at: t(60) }));
    await r.engine.apply([ack]);
    const incident = r.store.incident('INC-1')!;
    expect(incident).toMatchObject({ state: 'acknowledged', acknowledgedAt: t(50) });
    expect(incident.timeline.filter((e) => e.type !== 'opened').map((e) => [e.type, e.by, e.note])).toEqual([
      ['acknowledged', 'alice', 'looking'],
      ['note', 'bob', 'db logs show OOM'],
    ]);
    expect(r.store.applied('a1') && r.store.applied('n1')).toBe(true);
    expect(incident.revision).toBe(3);
  });

  it('an unknown incident or problem throws a CmdbError and changes nothing; inputs before it in the call are kept, those after are not', async () => {
    const r = await rig();
    await r.run(fire(DB, 0), tick(30));
    const before = structuredClone(dump(r.store));
    const bad = command({ id: 'x1', type: 'acknowledge', incident: 'INC-99', by: 'alice' });
    const error = await r.engine.apply([bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CmdbError);
    expect(error).toMatchObject({ code: 'usage' });
    expect((error as Error).message).toContain('incident INC-99 not found');
    expect(dump(r.store)).toEqual(before);
    expect(r.store.applied('x1')).toBe(false);
    await expect(r.engine.apply([command({ id: 'x2', type: 'update-problem', problem: 'PRB-7', state: 'resolved', by: 'a' })])).rejects.toThrow('problem PRB-7 not found');
    await expect(r.engine.apply([command({ id: 'x3', type: 'dismiss-cause', incident: 'INC-1', change: 'acme/config#1', by: 'a' })])).rejects.toThrow('has no probable cause acme/config#1');
    await expect(r.engine.apply([fire(OTHER, 40), bad, tick(100)])).rejects.toThrow(CmdbError);
    expect(r.store.signal(`${OTHER}|kubernetes|unhealthy`)).toBeDefined();
    expect(r.store.incidents()).toHaveLength(1);
    await expect(r.engine.apply([{ type: 'tick', at: 'yesterday' }])).rejects.toThrow('is not an ISO 8601 date');
  });

  it('writes one outbox notification per target for each incident change, in the transaction, and publishes incidentChanged after it', async () => {
    const r = await rig({ notifyTargets: () => ['webhook:ops', 'github-issue'] });
    const opened = await r.engine.apply([fire(DB, 0), tick(30)]);
    expect(opened).toEqual([{ id: 'INC-1', change: 'opened', state: 'open', title: `${DB} unhealthy`, severity: 'critical', root: DB, revision: 1 }]);
    // the api flaps (55-61, shorter than `for`): no change of the incident
    await r.run(command({ id: 'a1', type: 'acknowledge', incident: 'INC-1', by: 'alice' }), fire(API, 55), clear(DB, 60), clear(API, 61), tick(121));
    expect(r.store.outbox().map((n) => [n.id, n.event, n.createdAt])).toEqual([
      ['INC-1:1:github-issue', 'incident.opened', t(30)],
      ['INC-1:1:webhook:ops', 'incident.opened', t(30)],
      ['INC-1:2:github-issue', 'incident.updated', t(50)],
      ['INC-1:2:webhook:ops', 'incident.updated', t(50)],
      ['INC-1:3:github-issue', 'incident.updated', t(60)],
      ['INC-1:3:webhook:ops', 'incident.updated', t(60)],
      ['INC-1:4:github-issue', 'incident.resolved', t(121)],
      ['INC-1:4:webhook:ops', 'incident.resolved', t(121)],
    ]);
    await r.bus.settled();
    expect(r.events.filter((e) => e.type === 'incidentChanged').map((e) => [(e.data as { change: string }).change, (e.data as { revision: number }).revision])).toEqual([
      ['opened', 1],
      ['acknowledged', 2],
      ['updated', 3],
      ['resolved', 4],
    ]);
  });

  it('calls are serialised: a second apply waits for the first', async () => {
    const r = await rig();
    const [a, b] = await Promise.all([r.engine.apply([fire(DB, 0)]), r.engine.apply([tick(30)])]);
    expect(a).toEqual([]);
    expect(b.map((c) => c.change)).toEqual(['opened']);
  });
});

describe('IncidentEngine: restarts', () => {
  const story: EngineInput[] = [
    fire(API, 0),
    fire(DB, 5),
    tick(30),
    tick(35),
    command({ id: 'a1', type: 'acknowledge', incident: 'INC-1', by: 'alice', at: t(36) }),
    fire(OTHER, 40),
    clear(DB, 50),
    clear(API, 52),
    tick(70),
    tick(112),
    fire(DB, 150),
    clear(DB, 160),
    tick(220),
    clear(OTHER, 230),
    tick(290),
  ];

  it('an engine built on the same store after every input continues exactly as one engine would', async () => {
    const one = await rig({ notifyTargets: () => ['webhook:ops'] });
    await one.run(...story);
    const store = new InMemoryIncidentStore();
    const dues: (string | undefined)[] = [];
    for (const input of story) {
      const fresh = await rig({ store, notifyTargets: () => ['webhook:ops'] });
      await fresh.engine.apply([input]);
      dues.push(new IncidentEngine(fresh.options).nextDue());
    }
    expect(dump(store)).toEqual(dump(one.store));
    expect(one.store.incidents().map((i) => [i.id, i.state, i.root])).toEqual([
      ['INC-2', 'resolved', OTHER],
      ['INC-1', 'resolved', DB],
    ]);
    expect(one.store.incident('INC-1')?.timeline.map((e) => e.type)).toContain('reopened');
    expect(dues.at(-1)).toBeUndefined();
    expect(dues[1]).toBe(t(30));
  });
});
