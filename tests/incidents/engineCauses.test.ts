import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rankCauses } from '../../incidents/probableCause.ts';
import { FileChangeStore } from '../../state/FileChangeStore.ts';
import { changeRecord, fire, listedChanges, rig, settings, t, tick } from './engineFixture.ts';

const DB = 'resource:default/db';
const API = 'component:default/api';
const CLUSTER = 'cluster:default/prod';
const OTHER = 'component:default/other';
const HOUR = 3600;
const DAY = 24 * HOUR;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A real FileChangeStore in a temp dir holding the records. */
async function changeStore(records: ReturnType<typeof changeRecord>[]): Promise<FileChangeStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-engine-changes-'));
  dirs.push(dir);
  const store = new FileChangeStore({ dir });
  for (const r of records) await store.recordChange(r);
  return store;
}

describe('IncidentEngine: probable causes', () => {
  it('ranks a change to the root first, then what the root depends on, then correlated entities; newer first among equals; never after the incident opened nor before the look-back', async () => {
    const changes = await changeStore([
      changeRecord(1, [API], -10 * 60), // correlated entity
      changeRecord(2, [CLUSTER], -30 * 60), // the root runs on it: distance 1
      changeRecord(3, [DB, OTHER], -2 * HOUR), // the root
      changeRecord(4, [DB], -1 * HOUR), // the root, newer
      changeRecord(5, [DB], 45), // after the incident opened (at 40)
      changeRecord(6, [DB], -8 * DAY), // before the look-back (7d)
      changeRecord(7, [OTHER], -60), // unrelated
    ]);
    const r = await rig({ changes });
    await r.run(fire(DB, 0), fire(API, 5), tick(40));
    const [incident] = r.store.incidents();
    expect(incident.probableCauses.map((c) => [c.change.id, c.reason])).toEqual([
      ['acme/config#4', `changed the root ${DB}`],
      ['acme/config#3', `changed the root ${DB}`],
      ['acme/config#2', `changed ${CLUSTER}, which the root depends on (distance 1)`],
    ]);
    expect(incident.probableCauses[0].change).toEqual({ id: 'acme/config#4', number: 4, commits: ['4'.padStart(40, '0')], title: 'change 4', recordedAt: t(-HOUR) });
    await changes.close();
  });

  it('a correlated entity counts after what the root depends on; a change recorded at the opening counts, one a millisecond later does not', async () => {
    const later = { ...changeRecord(9, [DB], 40), recordedAt: new Date(Date.parse(t(40)) + 1).toISOString() };
    const r = await rig({ changes: listedChanges([changeRecord(1, [API], -10), changeRecord(8, [DB], 40), later]) });
    await r.run(fire(DB, 0), fire(API, 5), tick(40));
    expect(r.store.incidents()[0].probableCauses.map((c) => c.change.id)).toEqual(['acme/config#8', 'acme/config#1']);
  });

  it('recomputes when the root changes while open, and uses a branch change’s commits and no number', async () => {
    const branch = { ...changeRecord(0, [CLUSTER], -100), id: 'branch:main:abc', commits: ['a'.repeat(40), 'b'.repeat(40)] } as ReturnType<typeof changeRecord> & { commits: string[] };
    delete (branch as { number?: number }).number;
    const r = await rig({ changes: listedChanges([branch]), settings: settings({ correlation: { windowMs: 120_000, depth: 1 } }) });
    await r.run(fire(API, 0), tick(30));
    expect(r.store.incident('INC-1')?.probableCauses).toEqual([]);
    await r.run(fire(DB, 10), tick(40));
    expect(r.store.incident('INC-1')?.probableCauses).toEqual([
      { change: { id: 'branch:main:abc', commits: ['a'.repeat(40), 'b'.repeat(40)], title: 'change 0', recordedAt: t(-100) }, reason: `changed ${CLUSTER}, which the root depends on (distance 1)` },
    ]);
  });

  it('a dismissed cause stays dismissed when the causes are recomputed, and is not ranked again', async () => {
    const r = await rig({ changes: listedChanges([changeRecord(1, [API], -100), changeRecord(2, [API], -50)]) });
    await r.run(fire(API, 0), tick(30));
    expect(r.store.incident('INC-1')?.probableCauses.map((c) => c.change.id)).toEqual(['acme/config#2', 'acme/config#1']);
    await r.run({ type: 'command', command: { id: 'd1', type: 'dismiss-cause', incident: 'INC-1', change: 'acme/config#2', by: 'bob', note: 'only docs', at: t(35) } });
    await r.run(fire(DB, 36), tick(70));
    const incident = r.store.incident('INC-1')!;
    expect(incident.root).toBe(DB);
    expect(incident.probableCauses.map((c) => [c.change.id, c.dismissed?.by, c.reason])).toEqual([
      ['acme/config#1', undefined, `changed ${API}, a correlated entity`],
      ['acme/config#2', 'bob', `changed the root ${API}`],
    ]);
    expect(incident.timeline.find((e) => e.type === 'cause-dismissed')).toMatchObject({ by: 'bob', note: 'only docs', at: t(35) });
  });

  it('ranks 10,000 records: only the relevant ones, at most three', () => {
    const records = Array.from({ length: 10_000 }, (_, i) => changeRecord(i + 1, [i % 1000 === 0 ? DB : `component:default/s${i}`], -i * 60));
    const causes = rankCauses(records, { root: DB, upstream: new Map([[CLUSTER, 1]]), correlated: [], openedAt: t(0) }, 7 * DAY * 1000);
    expect(causes.map((c) => c.change.id)).toEqual(['acme/config#1', 'acme/config#1001', 'acme/config#2001']);
  });
});
