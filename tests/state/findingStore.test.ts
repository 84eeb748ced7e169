import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FindingChangeData, ReportedFinding } from '../../core/events.ts';
import { FileFindingStore, FINDINGS_FILE } from '../../state/FileFindingStore.ts';
import type { FindingStore } from '../../state/FindingStore.ts';
import { InMemoryFindingStore } from '../../state/InMemoryFindingStore.ts';

const dirs: string[] = [];
const stores: FindingStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-findings-'));
  dirs.push(d);
  return d;
};

const down = (url: string, message = 'connection refused'): ReportedFinding => ({ ref: 'component:default/api', check: 'http', finding: 'unhealthy', message, target: { url } });
const key = (url: string) => `http component:default/api ${url} unhealthy`;
const opened = (url: string, message?: string): FindingChangeData => ({ change: 'opened', key: key(url), finding: down(url, message) });
const resolved = (url: string): FindingChangeData => ({ change: 'resolved', key: key(url), previous: down(url), reason: 'fixed' });
const T1 = new Date('2026-03-03T10:00:00.000Z');
const T2 = new Date('2026-03-03T10:05:00.000Z');

interface Subject {
  name: string;
  /** A new, empty store in `dir` (the file store's state dir). */
  create(dir: string): FindingStore;
}

const subjects: Subject[] = [
  { name: 'InMemoryFindingStore', create: () => new InMemoryFindingStore() },
  { name: 'FileFindingStore', create: (dir) => new FileFindingStore({ dir }) },
];

async function open(subject: Subject, dir = tmp()): Promise<FindingStore> {
  const store = subject.create(dir);
  stores.push(store);
  await store.open();
  return store;
}

describe.each(subjects)('FindingStore contract: $name', (subject) => {
  it('holds opened findings by key, ordered, with when they opened', async () => {
    const store = await open(subject);
    expect(await store.apply([opened('http://b'), opened('http://a')], T1)).toEqual([opened('http://b'), opened('http://a')]);
    expect(store.current().map((f) => f.key)).toEqual([key('http://a'), key('http://b')]);
    expect(store.current()[0]).toEqual({ key: key('http://a'), finding: down('http://a'), since: T1.toISOString(), updatedAt: T1.toISOString() });
  });

  it('is idempotent: the same change twice is a no-op, and a resolve of nothing too', async () => {
    const store = await open(subject);
    await store.apply([opened('http://a')], T1);
    expect(await store.apply([opened('http://a')], T2)).toEqual([]);
    expect(store.current()[0].updatedAt).toBe(T1.toISOString());
    expect(await store.apply([resolved('http://a')], T2)).toEqual([resolved('http://a')]);
    expect(await store.apply([resolved('http://a')], T2)).toEqual([]);
    expect(store.current()).toEqual([]);
  });

  it('an opened finding with another message is a change (keeping since), reported with the previous one', async () => {
    const store = await open(subject);
    await store.apply([opened('http://a')], T1);
    const effect = await store.apply([opened('http://a', 'timeout')], T2);
    expect(effect).toEqual([{ change: 'changed', key: key('http://a'), finding: down('http://a', 'timeout'), previous: down('http://a') }]);
    expect(store.current()[0]).toMatchObject({ since: T1.toISOString(), updatedAt: T2.toISOString(), finding: { message: 'timeout' } });
  });

  it('a resolve reports the finding held, whatever the change carried', async () => {
    const store = await open(subject);
    await store.apply([opened('http://a', 'timeout')], T1);
    expect(await store.apply([resolved('http://a')], T2)).toEqual([{ change: 'resolved', key: key('http://a'), previous: down('http://a', 'timeout'), reason: 'fixed' }]);
  });
});

describe('FileFindingStore', () => {
  it('keeps the current findings across a restart; what was open stays a no-op', async () => {
    const dir = tmp();
    const first = new FileFindingStore({ dir });
    await first.open();
    await first.apply([opened('http://a'), opened('http://b')], T1);
    await first.apply([resolved('http://b'), opened('http://a', 'timeout')], T2);
    await first.close();

    const second = await open(subjects[1], dir);
    expect(second.current()).toEqual([{ key: key('http://a'), finding: down('http://a', 'timeout'), since: T1.toISOString(), updatedAt: T2.toISOString() }]);
    expect(await second.apply([opened('http://a', 'timeout')])).toEqual([]);
  });

  it('compacts on open: one line per current finding', async () => {
    const dir = tmp();
    const first = new FileFindingStore({ dir });
    await first.open();
    for (let i = 0; i < 5; i++) await first.apply([opened('http://a', `try ${i}`)]);
    await first.apply([opened('http://b'), resolved('http://b')]);
    await first.close();
    expect(fs.readFileSync(path.join(dir, FINDINGS_FILE), 'utf8').trim().split('\n')).toHaveLength(7);
    const second = await open(subjects[1], dir);
    expect(fs.readFileSync(path.join(dir, FINDINGS_FILE), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(second.current().map((f) => f.finding.message)).toEqual(['try 4']);
  });

  it('cuts off a torn last line left by a crash', async () => {
    const dir = tmp();
    const first = new FileFindingStore({ dir });
    await first.open();
    await first.apply([opened('http://a')], T1);
    await first.close();
    fs.appendFileSync(path.join(dir, FINDINGS_FILE), '{"at":"2026-03-03T10:06:00.000Z","change":{"change":"resol');
    const second = await open(subjects[1], dir);
    expect(second.current().map((f) => f.key)).toEqual([key('http://a')]);
    await second.apply([opened('http://b')]);
    await second.close();
    const third = await open(subjects[1], dir);
    expect(third.current().map((f) => f.key)).toEqual([key('http://a'), key('http://b')]);
  });
});
