/**
 * BranchChangeRecorder with real parts: a Git repository committed to twice
 * (one commit, then two), the catalog follower on a real event bus, the
 * in-memory graph and the file change store.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { IsomorphicGitReader } from '../../catalog/git/IsomorphicGitReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { InMemoryEventBus } from '../../core/InMemoryEventBus.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { BranchChangeRecorder } from '../../server/BranchChangeRecorder.ts';
import { CatalogFollower } from '../../server/CatalogFollower.ts';
import { FileChangeStore } from '../../state/FileChangeStore.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
const dirs: string[] = [];
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** Commits files with its own committer date (TestRepo's is fixed). */
function commitAt(files: Record<string, string>, message: string, date: string): string {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(repo.dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo.dir, rel), content);
  }
  repo.git('add', '-A');
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Ann', GIT_AUTHOR_EMAIL: 'ann@example.com', GIT_COMMITTER_NAME: 'Ann', GIT_COMMITTER_EMAIL: 'ann@example.com', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  execFileSync('git', ['commit', '-q', '-m', message], { cwd: repo.dir, env });
  return repo.git('rev-parse', 'HEAD');
}

const db = (criticality: string) => entity('Resource', 'db', { type: 'database', owner: 'ops', criticality });
const cart = (extra: Record<string, unknown> = {}) => entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'ops', dependsOn: ['resource:db'], ...extra });

let c0: string;
let c1: string;
let c2: string;
let c3: string;

beforeAll(() => {
  repo = TestRepo.create('cmdb-branch-change-');
  c0 = commitAt(
    {
      'ops.yaml': entity('Group', 'ops', { type: 'team', children: [] }),
      'db.yaml': db('low'),
      'cart.yaml': cart(),
      'web.yaml': entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'ops', dependsOn: ['component:cart'] }),
    },
    'Initial catalog',
    '2026-03-01T08:00:00Z',
  );
});
afterAll(() => {
  repo.remove();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('BranchChangeRecorder', () => {
  it('records each range the followed branch moves by, with its commits, changes and impact, once', async () => {
    const events = new InMemoryEventBus();
    const git = new NativeGitReader({ dir: repo.dir });
    const reader = new CatalogReader({ git, cache: false });
    const graph = new InMemoryGraphStore({});
    const log = pino({ level: 'silent' });
    const store = new FileChangeStore({ dir: tmp('cmdb-branch-state-') });
    const follower = new CatalogFollower({ reader, graph, ref: 'main', events, log });
    const recorder = new BranchChangeRecorder({ events, reader, changes: store, graph, log, repository: repo.dir, now: () => new Date('2026-03-02T00:00:00Z') });
    recorder.start();
    try {
      expect(await follower.refresh()).toBe(true); // the first load: no previous commit, nothing recorded
      await events.settled();
      expect(await store.changes()).toEqual([]);

      c1 = commitAt({ 'db.yaml': db('critical') }, 'Make the db critical\n\nEverything uses it.', '2026-03-01T09:00:00Z');
      expect(await follower.refresh()).toBe(true);
      await events.settled();
      expect(await store.changes()).toEqual([
        {
          id: `branch:${c0}..${c1}`,
          repository: repo.dir,
          source: 'branch',
          title: 'Make the db critical',
          author: 'Ann <ann@example.com>',
          commits: [c1],
          firstCommitAt: '2026-03-01T09:00:00Z',
          base: c0,
          head: c1,
          mergeCommit: c1,
          mergedAt: '2026-03-01T09:00:00Z',
          changed: ['resource:default/db'],
          impacted: ['component:default/cart', 'component:default/web'],
          recordedAt: '2026-03-02T00:00:00.000Z',
        },
      ]);

      c2 = commitAt({ 'queue.yaml': entity('Resource', 'queue', { type: 'queue', owner: 'ops' }) }, 'Add a queue', '2026-03-01T10:00:00Z');
      c3 = commitAt({ 'cart.yaml': cart({ dependsOn: ['resource:db', 'resource:queue'] }) }, 'Cart uses the queue', '2026-03-01T11:00:00Z');
      expect(await follower.refresh()).toBe(true);
      await events.settled();
      const second = await store.getChange(`branch:${c1}..${c3}`);
      expect(second).toMatchObject({
        title: '2 commits: Cart uses the queue',
        commits: [c2, c3],
        firstCommitAt: '2026-03-01T10:00:00Z',
        base: c1,
        head: c3,
        mergedAt: '2026-03-01T11:00:00Z',
        changed: ['component:default/cart', 'resource:default/queue'],
        impacted: ['component:default/web'],
      });

      // The same move again (a replayed event) records nothing twice; a move back to an ancestor records nothing.
      events.publish('catalogMoved', { commit: c3, previous: c1, entities: 5, violations: 0, mode: 'incremental', seconds: 0 });
      events.publish('catalogMoved', { commit: c1, previous: c3, entities: 4, violations: 0, mode: 'incremental', seconds: 0 });
      await events.settled();
      expect((await store.changes()).map((r) => r.id)).toEqual([`branch:${c0}..${c1}`, `branch:${c1}..${c3}`]);
    } finally {
      await recorder.stop();
      await follower.stop();
      await store.close();
      await graph.close();
      await git.close();
    }
  });

  it('logs a range it cannot record (the store refuses writes) and keeps running', async () => {
    const events = new InMemoryEventBus();
    const git = new NativeGitReader({ dir: repo.dir });
    const reader = new CatalogReader({ git, cache: false });
    const graph = new InMemoryGraphStore({});
    const dir = tmp('cmdb-branch-state-');
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const readOnly = new FileChangeStore({ dir, readOnly: true });
    const recorder = new BranchChangeRecorder({ events, reader, changes: readOnly, graph, log });
    recorder.start();
    await graph.load(await reader.read(c1));
    events.publish('catalogMoved', { commit: c1, previous: c0, entities: 4, violations: 0, mode: 'incremental', seconds: 0 });
    await events.settled();
    expect(lines.map((l) => JSON.parse(l) as { msg: string; previous: string; err: { message: string } })).toEqual([
      expect.objectContaining({ msg: 'cannot record the branch change; retrying on the next move', previous: c0, err: expect.objectContaining({ message: expect.stringMatching(/read-only/) }) }),
    ]);
    await recorder.stop();
    await readOnly.close();
    await graph.close();
    await git.close();
  });
});

describe('GitReader.commitsBetween', () => {
  it('lists the commits of a range, parents first, the same with both readers', async () => {
    const native = new NativeGitReader({ dir: repo.dir });
    const iso = new IsomorphicGitReader({ dir: repo.dir });
    for (const [base, head] of [
      [c0, c3],
      [c1, c1],
      [undefined, c2],
      [c3, c1],
    ] as Array<[string | undefined, string]>) {
      expect(await iso.commitsBetween(base, head)).toEqual(await native.commitsBetween(base, head));
    }
    expect((await native.commitsBetween(c0, c3)).map((c) => [c.oid, c.subject, c.committedAt])).toEqual([
      [c1, 'Make the db critical', '2026-03-01T09:00:00Z'],
      [c2, 'Add a queue', '2026-03-01T10:00:00Z'],
      [c3, 'Cart uses the queue', '2026-03-01T11:00:00Z'],
    ]);
    expect((await native.commitsBetween(undefined, c2)).map((c) => c.oid)).toEqual([c0, c1, c2]);
    expect(await native.commitsBetween(c3, c1)).toEqual([]);
  });
});
