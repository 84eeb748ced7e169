/** `cmdb changes` lists branch records beside pull requests (text and JSON), from the file store a recorder writes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BranchChangeRecord, PullRequestChangeRecord } from '../../state/ChangeRecord.ts';
import { FileChangeStore } from '../../state/FileChangeStore.ts';
import { cmdb } from '../helpers/cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-branch-list-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const [a, b, c] = ['a', 'b', 'c'].map((x) => x.repeat(40));
const branch: BranchChangeRecord = {
  id: `branch:${a}..${c}`,
  repository: '/srv/config',
  source: 'branch',
  title: '2 commits: Cart uses the queue',
  author: 'Ann <ann@example.com>',
  commits: [b, c],
  base: a,
  head: c,
  mergeCommit: c,
  mergedAt: '2026-03-04T12:00:00Z',
  changed: ['component:default/cart', 'resource:default/queue'],
  impacted: ['component:default/web'],
  recordedAt: '2026-03-04T12:00:05Z',
};
const pull: PullRequestChangeRecord = {
  id: 'acme/config#12',
  repository: 'acme/config',
  number: 12,
  title: 'Scale the cart',
  author: 'anguyen',
  risk: 'high',
  changeType: 'normal',
  decision: 'pass',
  base: a,
  head: b,
  mergeCommit: c,
  openedAt: '2026-03-03T14:30:00Z',
  approvedAt: null,
  mergedAt: '2026-03-04T11:00:00Z',
  approvedBy: ['csmith-acme'],
  changed: ['component:default/cart'],
  impacted: [],
  recordedAt: '2026-03-04T11:00:02Z',
};

describe('cmdb changes with branch records', () => {
  it('lists both kinds, oldest merge first', async () => {
    const store = new FileChangeStore({ dir });
    await store.recordChange(branch);
    await store.recordChange(pull);
    await store.close();
    const text = await cmdb('changes', '--state-dir', dir);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n')).toEqual([
      '2026-03-04 11:00  acme/config#12  high normal  by anguyen, approved by csmith-acme  "Scale the cart"  (1 changed, 0 impacted)',
      `2026-03-04 12:00  branch:${a}..${c}  branch, 2 commits  by Ann <ann@example.com>  "2 commits: Cart uses the queue"  (2 changed, 1 impacted)`,
    ]);
    const json = await cmdb('changes', '--state-dir', dir, '--format', 'json');
    expect(JSON.parse(json.stdout)).toEqual([pull, branch]);
  });
});
