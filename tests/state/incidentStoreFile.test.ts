/** What only the file store does: torn lines, compaction, read-only readers, the lock, and a SIGKILL mid-flow. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileIncidentStore, INCIDENTS_FILE } from '../../state/FileIncidentStore.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { INCIDENTS_LOCK_FILE, incidentLockHolder } from '../../state/IncidentStoreLock.ts';
import { incident, notification, problem, signal } from './incidentRecordsFixtures.ts';

const dirs: string[] = [];
const stores: IncidentStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-incidents-file-'));
  dirs.push(d);
  return d;
};
async function opened(dir: string, options: { readOnly?: boolean; keptIds?: number } = {}): Promise<FileIncidentStore> {
  const store = new FileIncidentStore({ dir, ...options });
  await store.open();
  stores.push(store);
  return store;
}
const journal = (dir: string) => path.join(dir, INCIDENTS_FILE);
const lines = (dir: string) => fs.readFileSync(journal(dir), 'utf8').split('\n').filter(Boolean);

/** Everything a store holds, for comparing two stores. */
const everything = (s: IncidentStore) => ({
  signals: s.signals(),
  incidents: s.incidents({ state: 'all' }),
  problems: s.problems(),
  outbox: s.outbox(),
  nextIncident: s.nextNumber('incident'),
  nextProblem: s.nextNumber('problem'),
});

describe('FileIncidentStore', () => {
  it('writes one journal line per transaction, and compacts the journal into one snapshot line on open', async () => {
    const dir = tmp();
    const a = await opened(dir);
    expect(lines(dir)).toHaveLength(1); // the snapshot of the empty state
    await a.commit({ incidents: [incident(1)], signals: [signal('fp-1')] });
    await a.commit({ notifications: [notification('n1')], commands: ['c1'] });
    expect(lines(dir)).toHaveLength(3);
    expect(JSON.parse(lines(dir)[2])).toEqual({ tx: { notifications: [notification('n1')], commands: ['c1'] } });
    await a.close();
    const b = await opened(dir);
    expect(lines(dir)).toHaveLength(1);
    expect(Object.keys(JSON.parse(lines(dir)[0]))).toEqual(['snapshot']);
    expect(everything(b)).toEqual(everything(a));
  });

  it('compaction keeps everything: signals, incidents, problems, outbox, delivered and applied ids', async () => {
    const dir = tmp();
    const a = await opened(dir);
    for (let n = 1; n <= 30; n++) {
      await a.commit({
        incidents: [incident(n, { revision: 1 }), ...(n > 1 ? [incident(n - 1, { revision: 2, state: 'resolved' as const })] : [])],
        signals: [signal(`fp-${n}`)],
        removeSignals: n > 2 ? [`fp-${n - 2}`] : [],
        problems: [problem(n % 3 + 1, { revision: n })],
        notifications: [notification(`n-${n}`, `2026-03-03T10:00:${String(n).padStart(2, '0')}Z`)],
        delivered: n % 2 === 0 ? [`n-${n}`] : [],
        commands: [`c-${n}`],
      });
    }
    await a.close();
    const b = await opened(dir);
    expect(everything(b)).toEqual(everything(a));
    expect(b.outbox().map((n) => n.id)).toEqual(Array.from({ length: 15 }, (_, i) => `n-${2 * i + 1}`));
    expect(Array.from({ length: 30 }, (_, i) => b.applied(`c-${i + 1}`)).every(Boolean)).toBe(true);
    await b.commit({ notifications: [notification('n-2')] }); // delivered before compaction: still not queued again
    expect(b.outbox().map((n) => n.id)).not.toContain('n-2');
    await b.close();
    const c = await opened(dir);
    expect(everything(c)).toEqual(everything(b));
  });

  it('keeps the last keptIds delivered and command ids through compaction', async () => {
    const dir = tmp();
    const a = await opened(dir, { keptIds: 3 });
    for (let n = 1; n <= 5; n++) await a.commit({ commands: [`c-${n}`], delivered: [`n-${n}`] });
    await a.close();
    const b = await opened(dir, { keptIds: 3 });
    expect([1, 2, 3, 4, 5].map((n) => b.applied(`c-${n}`))).toEqual([false, false, true, true, true]);
    expect(JSON.parse(lines(dir)[0]).snapshot.delivered).toEqual(['n-3', 'n-4', 'n-5']);
  });

  it('cuts a torn last line (a transaction not kept) on open and keeps everything before it', async () => {
    const dir = tmp();
    const a = await opened(dir);
    await a.commit({ incidents: [incident(1)] });
    await a.commit({ incidents: [incident(2)] });
    await a.close();
    const line = JSON.stringify({ tx: { incidents: [incident(3)] } });
    fs.appendFileSync(journal(dir), line.slice(0, line.length - 5));
    const reader = await opened(dir, { readOnly: true });
    expect(reader.incidents().map((i) => i.id)).toEqual(['INC-2', 'INC-1']);
    const b = await opened(dir);
    expect(b.incidents().map((i) => i.id)).toEqual(['INC-2', 'INC-1']);
    await b.commit({ incidents: [incident(4)] });
    await b.close();
    const c = await opened(dir);
    expect(c.incidents().map((i) => i.id)).toEqual(['INC-4', 'INC-2', 'INC-1']);
  });

  it('refuses a damaged line with complete lines after it, naming file and line, and changes nothing', async () => {
    const dir = tmp();
    const a = await opened(dir);
    await a.commit({ incidents: [incident(1)] });
    await a.close();
    fs.appendFileSync(journal(dir), '{"tx": {"incidents": [}\n' + JSON.stringify({ tx: { incidents: [incident(2)] } }) + '\n');
    const before = fs.readFileSync(journal(dir));
    for (const readOnly of [false, true]) {
      const err = await new FileIncidentStore({ dir, readOnly }).open().then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'state-store', file: journal(dir), line: 3, column: 1 }); // 1: snapshot, 2: INC-1, 3: damaged
      expect((err as Error).message).toMatch(/incident journal is damaged/);
    }
    expect(fs.readFileSync(journal(dir))).toEqual(before);
    expect(await incidentLockHolder(dir)).toBeUndefined(); // a failed open leaves no lock behind
  });

  it('refuses a JSON line that is not a transaction or a snapshot, naming file and line', async () => {
    const dir = tmp();
    fs.writeFileSync(journal(dir), `${JSON.stringify({ tx: {} })}\n[1, 2]\n`);
    await expect(new FileIncidentStore({ dir }).open()).rejects.toMatchObject({ code: 'state-store', file: journal(dir), line: 2 });
  });

  it('read-only: replays what the writer appended since it compacted, writes nothing, takes no lock, refuses commits', async () => {
    const dir = tmp();
    const writer = await opened(dir);
    await writer.commit({ incidents: [incident(1)] });
    await writer.commit({ incidents: [incident(1, { revision: 2, state: 'acknowledged' })], commands: ['c1'] });
    const before = fs.readFileSync(journal(dir));
    const reader = await opened(dir, { readOnly: true });
    expect(reader.incident('INC-1')?.state).toBe('acknowledged');
    expect(reader.applied('c1')).toBe(true);
    expect(fs.readFileSync(journal(dir))).toEqual(before);
    await expect(reader.commit({ commands: ['c2'] })).rejects.toMatchObject({ code: 'state-store', message: expect.stringMatching(/read-only/) });
    await reader.close();
    expect(await incidentLockHolder(dir)).toBe(process.pid); // the writer's lock is still there
  });

  it('read-only on a missing state dir: an empty store, and nothing created', async () => {
    const dir = path.join(tmp(), 'missing');
    const reader = await opened(dir, { readOnly: true });
    expect(reader.incidents()).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('holds incidents.lock with its pid while open for writing; refuses a live holder; takes over a stale one', async () => {
    const dir = tmp();
    const a = await opened(dir);
    expect(fs.readFileSync(path.join(dir, INCIDENTS_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await a.close();
    expect(fs.existsSync(path.join(dir, INCIDENTS_LOCK_FILE))).toBe(false);

    fs.writeFileSync(path.join(dir, INCIDENTS_LOCK_FILE), `${process.ppid}\n`); // a live process that is not us
    await expect(new FileIncidentStore({ dir }).open()).rejects.toMatchObject({ code: 'state-store', message: expect.stringMatching(new RegExp(`held by process ${process.ppid}`)) });

    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    fs.writeFileSync(path.join(dir, INCIDENTS_LOCK_FILE), `${dead.pid}\n`);
    expect(await incidentLockHolder(dir)).toBeUndefined();
    await opened(dir);
    expect(await incidentLockHolder(dir)).toBe(process.pid);
  });
});

const WRITER = path.resolve(import.meta.dirname, 'incidentStoreWriter.ts');

/**
 * Starts the writer on `dir`, kills it with SIGKILL once it has committed
 * `after` more transactions; resolves with the last one it reported.
 * `meanwhile` runs once it has committed its first transaction, and the kill waits for it.
 */
function killMidway(dir: string, after: number, meanwhile: () => Promise<void> = async () => {}): Promise<{ openedAt: number; lastReported: number }> {
  return new Promise((resolve, reject) => {
    let side: Promise<void> | undefined;
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let openedAt = -1;
    let lastReported = -1;
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const o = /opened at (\d+)/.exec(out);
      if (o) openedAt = Number(o[1]);
      const all = [...out.matchAll(/committed (\d+)\n/g)];
      if (all.length) lastReported = Number(all[all.length - 1][1]);
      if (!side && lastReported > openedAt && openedAt >= 0) side = meanwhile().catch((e: unknown) => {
        child.kill('SIGKILL');
        reject(e);
      });
      if (!killed && side && openedAt >= 0 && lastReported >= openedAt + after) {
        killed = true;
        void side.then(() => child.kill('SIGKILL'));
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ openedAt, lastReported });
      else reject(new Error(`the writer exited with ${code}: ${err}`));
    });
  });
}

/** Checks that the store holds exactly transactions 1..k of the writer, each once; returns k. */
function assertPrefix(s: IncidentStore): number {
  const k = s.problem('PRB-1')?.revision ?? 0;
  const ids = Array.from({ length: k }, (_, i) => i + 1);
  expect(s.problem('PRB-1')?.incidents ?? []).toEqual(ids.map((n) => `INC-${n}`));
  expect(s.incidents({ state: 'all' }).map((i) => i.id).sort()).toEqual(ids.map((n) => `INC-${n}`).sort());
  expect(s.signals().map((x) => x.fingerprint).sort()).toEqual(ids.map((n) => `fp-${n}`).sort());
  expect(ids.every((n) => s.applied(`c-${n}`))).toBe(true);
  expect(s.applied(`c-${k + 1}`)).toBe(false);
  expect(s.outbox().map((n) => n.id)).toEqual(k ? [`n-${k}`] : []);
  expect(s.nextNumber('incident')).toBe(k + 1);
  return k;
}

describe('FileIncidentStore killed with SIGKILL mid-flow', () => {
  it('reopens holding exactly a prefix of the transactions, every acknowledged one, none doubled; and carries on', async () => {
    const dir = tmp();
    let kept = 0;
    for (const after of [40, 25, 60]) {
      const { openedAt, lastReported } = await killMidway(dir, after);
      expect(openedAt).toBe(kept); // the writer reopened on what was kept
      const reader = await opened(dir, { readOnly: true }); // as the CLI reads it, torn end and all
      const seen = assertPrefix(reader);
      expect(seen).toBeGreaterThanOrEqual(lastReported); // nothing the writer was told was durable is lost
      const writer = await opened(dir); // cuts any torn line, compacts, takes over the dead writer's lock
      expect(assertPrefix(writer)).toBe(seen);
      await writer.close();
      kept = seen;
    }
  }, 120_000);

  it('readers opening read-only beside the running writer each see a prefix of its transactions', async () => {
    const dir = tmp();
    const seen: number[] = [];
    await killMidway(dir, 1, async () => {
      for (let i = 0; i < 5000 && !(seen.length >= 20 && seen.at(-1)! > seen[0]); i++) {
        const reader = new FileIncidentStore({ dir, readOnly: true });
        await reader.open();
        seen.push(assertPrefix(reader));
        await reader.close();
      }
    });
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // never backwards
    expect(seen.at(-1)).toBeGreaterThan(seen[0]); // the writer went on meanwhile
  }, 120_000);
});
