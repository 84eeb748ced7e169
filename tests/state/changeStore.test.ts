/** The ChangeStore contract, against every implementation: the append-only file and Neo4j (the test server of tests/infra). */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../state/ChangeRecord.ts';
import { CHANGES_FILE, FileChangeStore } from '../../state/FileChangeStore.ts';
import { CHANGE_LABEL, Neo4jChangeStore } from '../../state/Neo4jChangeStore.ts';
import type { ChangeStore } from '../../state/ChangeStore.ts';
import { requireNeo4j } from '../infra/neo4j-test-env.ts';

/** Ids unique to this run, so runs sharing a Neo4j do not meet. */
const RUN = crypto.randomUUID().slice(0, 8);

function record(repo: string, number: number, mergedAt: string): ChangeRecord {
  return {
    id: `${repo}#${number}`,
    repository: repo,
    number,
    title: `Change ${number}`,
    author: 'anguyen',
    risk: 'high',
    changeType: 'normal',
    decision: 'pass',
    base: 'a'.repeat(40),
    head: 'b'.repeat(40),
    mergeCommit: 'c'.repeat(40),
    openedAt: '2026-03-01T10:00:00Z',
    approvedAt: null,
    mergedAt,
    approvedBy: ['csmith-acme'],
    changed: ['component:default/cartservice'],
    impacted: ['system:default/online-boutique'],
    recordedAt: '2026-03-05T00:00:00Z',
  };
}

const dirs: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Impl {
  name: string;
  /** A store; `again` opens a second one on the same state (a restart). */
  open(): { store: ChangeStore; again: () => ChangeStore };
}

const IMPLEMENTATIONS: Impl[] = [
  {
    name: 'FileChangeStore',
    open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-state-'));
      dirs.push(dir);
      return { store: new FileChangeStore({ dir }), again: () => new FileChangeStore({ dir }) };
    },
  },
  {
    name: 'Neo4jChangeStore',
    open() {
      const uri = requireNeo4j();
      cleanups.push(async () => {
        const driver = neo4j.driver(uri);
        await driver.executeQuery(`MATCH (c:${CHANGE_LABEL}) WHERE c.repository STARTS WITH $prefix DETACH DELETE c`, { prefix: RUN });
        await driver.close();
      });
      return { store: new Neo4jChangeStore({ uri }), again: () => new Neo4jChangeStore({ uri }) };
    },
  },
];

describe.each(IMPLEMENTATIONS)('ChangeStore contract: $name', (impl) => {
  it('keeps a record once, durably, and lists records oldest merge first', async () => {
    const repo = `${RUN}-${impl.name}/config`;
    const { store, again } = impl.open();
    expect(await store.recordChange(record(repo, 2, '2026-03-04T11:00:00Z'))).toBe('recorded');
    expect(await store.recordChange(record(repo, 1, '2026-03-03T09:00:00Z'))).toBe('recorded');
    expect(await store.recordChange({ ...record(repo, 2, '2026-03-09T00:00:00Z'), title: 'changed' })).toBe('exists');
    await store.close();
    const reopened = again();
    expect((await reopened.changes({ repository: repo })).map((r) => [r.number, r.title])).toEqual([
      [1, 'Change 1'],
      [2, 'Change 2'],
    ]);
    expect(await reopened.getChange(`${repo}#1`)).toEqual(record(repo, 1, '2026-03-03T09:00:00Z'));
    expect(await reopened.getChange(`${repo}#9`)).toBeUndefined();
    expect((await reopened.changes({ repository: repo.toUpperCase(), since: new Date('2026-03-04T00:00:00Z') })).map((r) => r.number)).toEqual([2]);
    await reopened.close();
  });

  it('filters by when a record was kept (recordedSince), apart from when it was merged (since)', async () => {
    const repo = `${RUN}-${impl.name}/recorded`;
    const { store } = impl.open();
    // Merged long ago (an old commit reaching the followed branch late), kept on 2026-03-08.
    await store.recordChange({ ...record(repo, 1, '2025-01-01T00:00:00Z'), recordedAt: '2026-03-08T00:00:00Z' });
    await store.recordChange(record(repo, 2, '2026-03-04T11:00:00Z'));
    const numbers = async (q: Parameters<typeof store.changes>[0]) => (await store.changes({ repository: repo, ...q })).map((r) => r.number);
    expect(await numbers({ since: new Date('2026-03-01T00:00:00Z') })).toEqual([2]);
    expect(await numbers({ recordedSince: new Date('2026-03-06T00:00:00Z') })).toEqual([1]);
    expect(await numbers({ recordedSince: new Date('2026-03-05T00:00:00Z') })).toEqual([1, 2]);
    await store.close();
  });

  it('keeps branch records (a commit range, no pull request) beside pull requests, once each', async () => {
    const repo = `${RUN}-${impl.name}-branch/config`;
    const { store, again } = impl.open();
    const [a, b, c] = ['1', '2', '3'].map((x) => x.repeat(40));
    const branch: ChangeRecord = {
      id: `branch:${a}..${c}`,
      repository: repo,
      source: 'branch',
      title: '2 commits',
      author: 'Ann <ann@example.com>',
      commits: [b, c],
      base: a,
      head: c,
      mergeCommit: c,
      mergedAt: '2026-03-04T12:00:00Z',
      changed: ['resource:default/db'],
      impacted: ['component:default/cart'],
      recordedAt: '2026-03-04T12:00:05Z',
    };
    expect(await store.recordChange(branch)).toBe('recorded');
    expect(await store.recordChange({ ...branch, title: 'again' })).toBe('exists');
    expect(await store.recordChange(record(repo, 7, '2026-03-04T11:00:00Z'))).toBe('recorded');
    await store.close();
    const reopened = again();
    expect(await reopened.getChange(branch.id)).toEqual(branch);
    expect((await reopened.changes({ repository: repo })).map((r) => r.id)).toEqual([`${repo}#7`, branch.id]);
    await reopened.close();
  });
});

describe('FileChangeStore', () => {
  it('drops a record cut short by a crash and keeps appending after the last whole one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-state-'));
    dirs.push(dir);
    const a = new FileChangeStore({ dir });
    await a.recordChange(record('acme/config', 1, '2026-03-03T09:00:00Z'));
    await a.close();
    fs.appendFileSync(path.join(dir, CHANGES_FILE), '{"id":"acme/config#2","repos');
    const b = new FileChangeStore({ dir });
    expect(await b.recordChange(record('acme/config', 3, '2026-03-05T09:00:00Z'))).toBe('recorded');
    await b.close();
    const c = new FileChangeStore({ dir, readOnly: true });
    expect((await c.changes()).map((r) => r.number)).toEqual([1, 3]);
    await expect(c.recordChange(record('acme/config', 4, '2026-03-06T09:00:00Z'))).rejects.toThrow(/read-only/);
    await c.close();
  });
});
