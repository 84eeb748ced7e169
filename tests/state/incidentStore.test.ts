/** The IncidentStore contract, against every implementation: in memory, the JSON Lines journal, and Neo4j (the test server of tests/infra). */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FileIncidentStore } from '../../state/FileIncidentStore.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';
import { INCIDENT_LABELS, Neo4jIncidentStore } from '../../state/Neo4jIncidentStore.ts';
import { requireNeo4j } from '../infra/neo4j-test-env.ts';
import { incident, notification, problem, signal } from './incidentRecordsFixtures.ts';

/** Store names unique to this run, so runs sharing a Neo4j do not meet. */
const RUN = `test-${crypto.randomUUID().slice(0, 8)}`;
let stores = 0;

const dirs: string[] = [];
const open: IncidentStore[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
});
afterAll(async () => {
  for (const c of cleanups) await c();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Impl {
  name: string;
  /**
   * A new, empty store; `again` makes another on the same state (a restart; the same one for memory, which keeps no state across processes);
   * `beside` one open at the same time on the same storage (a replica's: read-only beside the journal's one writer, the same instance for memory).
   */
  create(options?: { keptIds?: number }): { store: IncidentStore; again: () => IncidentStore; beside: () => IncidentStore };
}

const IMPLEMENTATIONS: Impl[] = [
  {
    name: 'InMemoryIncidentStore',
    create() {
      const store = new InMemoryIncidentStore();
      return { store, again: () => store, beside: () => store };
    },
  },
  {
    name: 'FileIncidentStore',
    create(options) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-incidents-'));
      dirs.push(dir);
      return { store: new FileIncidentStore({ dir, ...options }), again: () => new FileIncidentStore({ dir, ...options }), beside: () => new FileIncidentStore({ dir, readOnly: true }) };
    },
  },
  {
    name: 'Neo4jIncidentStore',
    create(options) {
      const uri = requireNeo4j();
      if (cleanups.length === 0)
        cleanups.push(async () => {
          const driver = neo4j.driver(uri);
          for (const label of Object.values(INCIDENT_LABELS)) await driver.executeQuery(`MATCH (n:${label}) WHERE n.store STARTS WITH $run DETACH DELETE n`, { run: RUN });
          await driver.close();
        });
      const store = `${RUN}-${++stores}`;
      return { store: new Neo4jIncidentStore({ uri, store, ...options }), again: () => new Neo4jIncidentStore({ uri, store, ...options }), beside: () => new Neo4jIncidentStore({ uri, store, ...options }) };
    },
  },
];

describe.each(IMPLEMENTATIONS)('IncidentStore contract: $name', (impl) => {
  /** Opens a new store, and a function that closes it and opens it again. */
  async function fresh() {
    const made = impl.create();
    let store = made.store;
    await store.open();
    open.push(store);
    const reopen = async () => {
      const next = made.again();
      if (next !== store) {
        await store.close();
        await next.open();
        open.push(next);
      }
      store = next;
      return next;
    };
    return { store, reopen };
  }

  it('reloads what another instance on the same storage committed since it loaded (a replica taking over)', async () => {
    const made = impl.create();
    await made.store.open();
    open.push(made.store);
    const other = made.beside();
    if (other !== made.store) {
      await other.open();
      open.push(other);
    }
    await made.store.commit({ signals: [signal('fp-a')], incidents: [incident(1, { revision: 1 })], notifications: [notification('n1')], commands: ['c1'] });
    await other.reload();
    expect(other.signals().map((s) => s.fingerprint)).toEqual(['fp-a']);
    expect(other.incident('INC-1')?.revision).toBe(1);
    expect(other.outbox().map((n) => n.id)).toEqual(['n1']);
    expect(other.applied('c1')).toBe(true);
    expect(other.nextNumber('incident')).toBe(2);
    await made.store.commit({ incidents: [incident(1, { revision: 2, state: 'resolved' })], delivered: ['n1'], removeSignals: ['fp-a'] });
    await other.reload();
    expect(other.incident('INC-1')?.state).toBe('resolved');
    expect(other.outbox()).toEqual([]);
    expect(other.signals()).toEqual([]);
    await made.store.reload(); // the writer itself: the same state
    expect(made.store.incident('INC-1')?.revision).toBe(2);
    expect(made.store.outbox()).toEqual([]);
  });

  it('starts empty', async () => {
    const { store } = await fresh();
    expect(store.signals()).toEqual([]);
    expect(store.incidents()).toEqual([]);
    expect(store.problems()).toEqual([]);
    expect(store.outbox()).toEqual([]);
    expect(store.applied('c1')).toBe(false);
    expect(store.nextNumber('incident')).toBe(1);
    expect(store.nextNumber('problem')).toBe(1);
  });

  it('keeps an incident and a problem at their highest revision, across a reopen', async () => {
    const { store, reopen } = await fresh();
    await store.commit({ incidents: [incident(1, { revision: 1 })], problems: [problem(1, { revision: 2, state: 'known-error', workaround: 'restart' })] });
    await store.commit({ incidents: [incident(1, { revision: 3, state: 'acknowledged', acknowledgedAt: '2026-03-03T10:05:00Z' })] });
    await store.commit({ incidents: [incident(1, { revision: 2, state: 'resolved' })], problems: [problem(1, { revision: 2, state: 'resolved' }), problem(1, { revision: 1 })] });
    await store.commit({ incidents: [incident(1, { revision: 3, title: 'same revision again' })] });
    for (const s of [store, await reopen()]) {
      expect(s.incident('INC-1')).toEqual(incident(1, { revision: 3, state: 'acknowledged', acknowledgedAt: '2026-03-03T10:05:00Z' }));
      expect(s.problem('PRB-1')).toEqual(problem(1, { revision: 2, state: 'known-error', workaround: 'restart' }));
      expect(s.incident('INC-2')).toBeUndefined();
    }
  });

  it('replaces signals by fingerprint, forgets removed ones, and lists them by fingerprint', async () => {
    const { store, reopen } = await fresh();
    await store.commit({ signals: [signal('fp-b'), signal('fp-a'), signal('fp-c')] });
    await store.commit({ signals: [signal('fp-a', { state: 'cleared', clearedAt: '2026-03-03T10:01:00Z' })], removeSignals: ['fp-c', 'fp-unknown'] });
    for (const s of [store, await reopen()]) {
      expect(s.signals().map((x) => x.fingerprint)).toEqual(['fp-a', 'fp-b']);
      expect(s.signal('fp-a')).toEqual(signal('fp-a', { state: 'cleared', clearedAt: '2026-03-03T10:01:00Z' }));
      expect(s.signal('fp-c')).toBeUndefined();
    }
  });

  it('a signal put and removed in one transaction is gone (puts apply before removals)', async () => {
    const { store, reopen } = await fresh();
    await store.commit({ signals: [signal('fp-a'), signal('fp-b')], removeSignals: ['fp-a'] });
    for (const s of [store, await reopen()]) expect(s.signals().map((x) => x.fingerprint)).toEqual(['fp-b']);
  });

  it('queues notifications oldest first, removes delivered ones and never queues a delivered id again', async () => {
    const { store, reopen } = await fresh();
    await store.commit({ notifications: [notification('n2', '2026-03-03T10:02:00Z'), notification('n1', '2026-03-03T10:01:00Z'), notification('n3', '2026-03-03T10:02:00Z')] });
    await store.commit({ delivered: ['n1'], notifications: [notification('n2', '2026-03-03T10:02:00Z', { attempts: 1, lastError: '503', nextAttemptAt: '2026-03-03T10:03:00Z' })] });
    for (const s of [store, await reopen()]) {
      expect(s.outbox().map((n) => n.id)).toEqual(['n2', 'n3']);
      expect(s.outbox()[0]).toMatchObject({ attempts: 1, lastError: '503' });
    }
    const again = await reopen();
    await again.commit({ notifications: [notification('n1', '2026-03-03T10:01:00Z')] });
    for (const s of [again, await reopen()]) expect(s.outbox().map((n) => n.id)).toEqual(['n2', 'n3']);
  });

  it('a notification queued and delivered in one transaction is not left in the outbox', async () => {
    const { store, reopen } = await fresh();
    await store.commit({ notifications: [notification('n1')], delivered: ['n1'] });
    for (const s of [store, await reopen()]) expect(s.outbox()).toEqual([]);
  });

  it('remembers applied commands', async () => {
    const { store, reopen } = await fresh();
    await store.commit({ commands: ['c1', 'c2'] });
    await store.commit({ commands: ['c2'] });
    for (const s of [store, await reopen()]) {
      expect(s.applied('c1')).toBe(true);
      expect(s.applied('c2')).toBe(true);
      expect(s.applied('c3')).toBe(false);
    }
  });

  it('gives the next free number after the highest kept id of each kind', async () => {
    const { store, reopen } = await fresh();
    await store.commit({ incidents: [incident(2), incident(9), incident(10)], problems: [problem(4)] });
    for (const s of [store, await reopen()]) {
      expect(s.nextNumber('incident')).toBe(11);
      expect(s.nextNumber('problem')).toBe(5);
    }
  });

  it('answers queries by state and by ref, newest first (opening time, then id)', async () => {
    const { store, reopen } = await fresh();
    const same = '2026-03-03T11:00:00Z';
    await store.commit({
      incidents: [
        incident(1, { openedAt: '2026-03-03T09:00:00Z' }),
        incident(2, { state: 'acknowledged', openedAt: same, root: 'component:default/cache', correlated: ['component:default/db'] }),
        incident(3, { state: 'resolved', openedAt: '2026-03-03T12:00:00Z', root: 'component:default/cache' }),
        incident(4, { openedAt: same, root: null }),
      ],
    });
    for (const s of [store, await reopen()]) {
      const ids = (q?: Parameters<IncidentStore['incidents']>[0]) => s.incidents(q).map((i) => i.id);
      expect(ids()).toEqual(['INC-3', 'INC-4', 'INC-2', 'INC-1']);
      expect(ids({ state: 'all' })).toEqual(['INC-3', 'INC-4', 'INC-2', 'INC-1']);
      expect(ids({ state: 'unresolved' })).toEqual(['INC-4', 'INC-2', 'INC-1']);
      expect(ids({ state: 'open' })).toEqual(['INC-4', 'INC-1']);
      expect(ids({ state: 'acknowledged' })).toEqual(['INC-2']);
      expect(ids({ state: 'resolved' })).toEqual(['INC-3']);
      expect(ids({ ref: 'component:default/db' })).toEqual(['INC-2', 'INC-1']);
      expect(ids({ ref: 'component:default/cache', state: 'unresolved' })).toEqual(['INC-2']);
    }
  });

  it('lists problems newest first', async () => {
    const { store, reopen } = await fresh();
    await store.commit({ problems: [problem(1, { openedAt: '2026-03-01T00:00:00Z' }), problem(2, { openedAt: '2026-03-02T00:00:00Z' })] });
    for (const s of [store, await reopen()]) expect(s.problems().map((p) => p.id)).toEqual(['PRB-2', 'PRB-1']);
  });

  it('applies transactions in call order, each whole, when they are not awaited one by one', async () => {
    const { store, reopen } = await fresh();
    const commits = [];
    for (let r = 1; r <= 20; r++) commits.push(store.commit({ incidents: [incident(1, { revision: r, title: `r${r}` })], signals: [signal('fp', { message: `r${r}` })], commands: [`c${r}`] }));
    await Promise.all(commits);
    await store.commit({ removeSignals: ['fp'] });
    await store.commit({ signals: [signal('fp', { message: 'last' })] });
    for (const s of [store, await reopen()]) {
      expect(s.incident('INC-1')).toMatchObject({ revision: 20, title: 'r20' });
      expect(s.signal('fp')?.message).toBe('last');
      expect(Array.from({ length: 20 }, (_, i) => s.applied(`c${i + 1}`))).toEqual(Array(20).fill(true));
    }
  });

  it('is not changed by what a caller does to committed objects afterwards', async () => {
    const { store } = await fresh();
    const inc = incident(1);
    await store.commit({ incidents: [inc] });
    inc.title = 'changed afterwards';
    inc.timeline.push({ at: 'x', type: 'note', by: 'x', message: 'x' });
    expect(store.incident('INC-1')).toEqual(incident(1));
  });
});

describe.each(IMPLEMENTATIONS.filter((i) => i.name !== 'InMemoryIncidentStore'))('IncidentStore across restarts: $name', (impl) => {
  it('keeps the newest keptIds delivered and command ids when reopened for writing', async () => {
    const made = impl.create({ keptIds: 3 });
    const a = made.store;
    await a.open();
    open.push(a);
    for (let n = 1; n <= 5; n++) await a.commit({ commands: [`c-${n}`], notifications: [notification(`n-${n}`)], delivered: [`n-${n}`] });
    await a.close();
    const b = made.again();
    await b.open();
    open.push(b);
    expect([1, 2, 3, 4, 5].map((n) => b.applied(`c-${n}`))).toEqual([false, false, true, true, true]);
    await b.commit({ notifications: [notification('n-1'), notification('n-4')] }); // n-1 forgotten: queued again; n-4 remembered
    expect(b.outbox().map((n) => n.id)).toEqual(['n-1']);
  });
});
