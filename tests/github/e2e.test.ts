import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CmdbError } from '../../core/errors.ts';
import type { AnyStep } from '../../controller/Evaluation.ts';
import { STEPS } from '../../controller/evaluateChange.ts';
import { JOURNAL_FILE } from '../../state/DeliveryJournal.ts';
import { cmdb } from '../helpers/cli.ts';
import { SECRET, startHarness, type Harness } from './harness.ts';
import { checkRunRerequested, deliver, pullRequestEvent, pushEvent, reviewEvent, signDelivery } from './payloads.ts';

const REPO = 'acme/config';
/** CAB members' GitHub logins in the Acme catalog (teams/*.y*ml). */
const CAB = ['csmith-acme', 'ewalsh', 'gkim'];

let h: Harness | undefined;

afterEach(async () => {
  const fake = h?.fake;
  await h?.close();
  h = undefined;
  // Every request and response matched GitHub's OpenAPI description, with valid credentials.
  expect(fake?.violations ?? []).toEqual([]);
  expect(fake?.authFailures ?? []).toEqual([]);
});

/** `cmdb changes --format json` on the file store of a state dir (whatever CMDB_NEO4J_URI the environment has). */
async function changesJson(stateDir: string) {
  const saved = process.env.CMDB_NEO4J_URI;
  delete process.env.CMDB_NEO4J_URI;
  try {
    return await cmdb('changes', '--state-dir', stateDir, '--format', 'json');
  } finally {
    if (saved !== undefined) process.env.CMDB_NEO4J_URI = saved;
  }
}

/** Journal lines (the durable queue's file) of the controller's state dir. */
function journal(stateDir: string): Array<Record<string, string>> {
  return fs
    .readFileSync(path.join(stateDir, JOURNAL_FILE), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, string>);
}

describe('pull requests as change requests', () => {
  it('gates a change to critical services on two CAB approvals of the head commit; a push makes them stale', async () => {
    h = await startHarness();
    const { change } = h.remote.demo;
    const pr = h.openPull(1, change);

    const opened = await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    expect(opened.status).toBe(202);
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, change).map((r) => r.conclusion)).toEqual(['action_required']);
    expect(h.fake.statusOf(REPO, change, 'cmdb/approval')?.state).toBe('pending');
    let comments = h.fake.commentsOn(REPO, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('Who must approve');
    expect(comments[0].body).toMatch(/group:default\/cab` \| 0 of 2/);
    expect(comments[0].body).toContain('```mermaid');

    // One CAB approval, then a second one: both on the head commit.
    h.fake.addReview(REPO, 1, { login: CAB[0], state: 'APPROVED', commitId: change });
    await h.send('pull_request_review', reviewEvent('submitted', h.repo, pr));
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, change).at(-1)?.conclusion).toBe('action_required');
    expect(h.fake.commentsOn(REPO, 1)[0].body).toMatch(/1 of 2 \| @csmith-acme/);

    h.fake.addReview(REPO, 1, { login: CAB[1], state: 'APPROVED', commitId: change });
    await h.send('pull_request_review', reviewEvent('submitted', h.repo, pr));
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, change).at(-1)?.conclusion).toBe('success');
    expect(h.fake.statusOf(REPO, change, 'cmdb/approval')?.state).toBe('success');
    comments = h.fake.commentsOn(REPO, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('Approvals: all given');
    expect(comments[0].body).toContain('@csmith-acme, @ewalsh');

    // A push to the pull request: the approvals were given on the old head and no longer count.
    const pushed = h.pushToPull(1, { 'systems/online-boutique/notes.md': 'more replicas before the sale\n' });
    await h.send('pull_request', pullRequestEvent('synchronize', h.repo, pushed));
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, pushed.head).map((r) => r.conclusion)).toEqual(['action_required']);
    expect(h.fake.statusOf(REPO, pushed.head, 'cmdb/approval')?.state).toBe('pending');
    comments = h.fake.commentsOn(REPO, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(pushed.head.slice(0, 12));
    expect(comments[0].body).toMatch(/group:default\/cab` \| 0 of 2/);
  });

  it('blocks a change to critical services during the year-end freeze: failure check, failure status, annotation on the window', async () => {
    h = await startHarness({ now: () => new Date('2026-12-24T10:00:00Z') });
    const pr = h.openPull(7, h.remote.demo.change);
    await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    await h.controller.idle();
    const [run] = h.fake.checkRunsOn(REPO, pr.head);
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toMatch(/^Blocked/);
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: 'policies/change-windows.yaml', start_line: 5, annotation_level: 'failure' }));
    expect(h.fake.statusOf(REPO, pr.head, 'cmdb/approval')?.state).toBe('failure');
    const [comment] = h.fake.commentsOn(REPO, 7);
    expect(comment.body).toContain('What blocks this change');
    expect(comment.body).toContain('year-end-freeze');
  });

  it('reads labels from the pull request: `emergency` turns the frozen change into an emergency change the CAB approves', async () => {
    h = await startHarness({ now: () => new Date('2026-12-24T10:00:00Z') });
    const pr = h.openPull(17, h.remote.demo.change);
    await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, pr.head).map((r) => r.conclusion)).toEqual(['failure']);
    h.fake.repo(REPO).pulls.get(17)!.labels = ['emergency'];
    await h.send('check_run', checkRunRerequested(h.repo, pr)); // the rerun reads the pull request from the API
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, pr.head).map((r) => r.conclusion)).toEqual(['failure', 'action_required']);
    expect(h.fake.statusOf(REPO, pr.head, 'cmdb/approval')?.state).toBe('pending');
    expect(h.fake.commentsOn(REPO, 17)[0].body).toContain('**Change type:** emergency');
  });

  it('answers 401 to a missing or wrong signature and processes nothing', async () => {
    h = await startHarness();
    const pr = h.openPull(2, h.remote.demo.change);
    const payload = pullRequestEvent('opened', h.repo, pr);
    const wrong = await signDelivery('not-the-secret', 'pull_request', 'bad-1', payload);
    expect((await deliver(h.webhookUrl, wrong)).status).toBe(401);
    const unsigned = await signDelivery(SECRET, 'pull_request', 'bad-2', payload);
    delete unsigned.headers['x-hub-signature-256'];
    expect((await deliver(h.webhookUrl, unsigned)).status).toBe(401);
    const tampered = await signDelivery(SECRET, 'pull_request', 'bad-3', payload);
    tampered.body = tampered.body.replace('"opened"', '"reopened"');
    expect((await deliver(h.webhookUrl, tampered)).status).toBe(401);
    await h.controller.idle();
    expect(h.fake.requests).toEqual([]);
    expect(h.git.requests).toEqual([]);
    expect(fs.existsSync(path.join(h.stateDir, JOURNAL_FILE)) ? journal(h.stateDir) : []).toEqual([]);
  });

  it('evaluates a delivery sent twice once', async () => {
    h = await startHarness();
    const pr = h.openPull(3, h.remote.demo.change);
    const signed = await signDelivery(SECRET, 'pull_request', 'same-delivery', pullRequestEvent('opened', h.repo, pr));
    const [a, b] = await Promise.all([deliver(h.webhookUrl, signed), deliver(h.webhookUrl, signed)]);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    await h.controller.idle();
    expect((await deliver(h.webhookUrl, signed)).body).toMatchObject({ status: 'duplicate' });
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, pr.head)).toHaveLength(1);
    expect(journal(h.stateDir).filter((l) => l.op === 'received')).toHaveLength(1);
  });

  it('lets a newer head supersede work on an older one: only the newest head is reported', async () => {
    h = await startHarness();
    const first = h.openPull(4, h.remote.demo.change);
    const held = h.fake.hold('pulls/list-reviews');
    const opened = await h.send('pull_request', pullRequestEvent('opened', h.repo, first));
    await held.arrived; // the first evaluation is under way
    const labeled = await h.send('pull_request', pullRequestEvent('labeled', h.repo, first));
    const newer = h.pushToPull(4, { 'systems/online-boutique/notes.md': 'v2\n' });
    const sync = await h.send('pull_request', pullRequestEvent('synchronize', h.repo, newer));
    held.release();
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, first.head)).toEqual([]);
    expect(h.fake.checkRunsOn(REPO, newer.head)).toHaveLength(1);
    const outcomes = Object.fromEntries(journal(h.stateDir).filter((l) => l.op === 'done').map((l) => [l.id, l.outcome]));
    expect(outcomes).toEqual({ [opened.id]: 'superseded', [labeled.id]: 'superseded', [sync.id]: 'evaluated' });
    expect(h.fake.commentsOn(REPO, 4)).toHaveLength(1);
  });

  it('closes the gate when a change cannot be evaluated, and evaluates it when GitHub redelivers', async () => {
    h = await startHarness();
    const head = h.remote.commitOn(h.remote.demo.change, { 'systems/online-boutique/notes.md': 'not pushed yet\n' });
    h.remote.bareGit('update-ref', '-d', `refs/heads/work-${head.slice(0, 8)}`); // the served repo does not have it
    const pr = h.pull(30, head);
    h.fake.addPull(REPO, { number: 30, headSha: head, headRef: 'change-30', baseRef: 'main', baseSha: pr.base });
    const signed = await signDelivery(SECRET, 'pull_request', 'fails-first', pullRequestEvent('opened', h.repo, pr));
    expect((await deliver(h.webhookUrl, signed)).status).toBe(202);
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, head).map((r) => [r.conclusion, r.output.title])).toEqual([['failure', 'Could not evaluate the change']]);
    expect(h.fake.statusOf(REPO, head, 'cmdb/approval')?.state).toBe('error');
    h.remote.work.git('push', '-q', h.remote.bare, `${head}:refs/pull/30/head`);
    expect((await deliver(h.webhookUrl, signed)).status).toBe(202); // "Redeliver" keeps the id
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, head).at(-1)?.conclusion).toBe('action_required');
    expect(h.fake.statusOf(REPO, head, 'cmdb/approval')?.state).toBe('pending');
  });

  it('reports a step that throws as a failing check run naming the step and the message; the delivery fails', async () => {
    // The project's steps, with the impact step's graph store failing (as an unreachable Neo4j would).
    const steps: AnyStep[] = STEPS.map((s) =>
      s.name === 'impact'
        ? {
            ...s,
            run: async () => {
              throw new CmdbError('the graph store stopped answering', { code: 'graph-store' });
            },
          }
        : s,
    );
    h = await startHarness({ controller: { steps } });
    const pr = h.openPull(33, h.remote.demo.change);
    const sent = await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    await h.controller.idle();
    const runs = h.fake.checkRunsOn(REPO, pr.head);
    expect(runs.map((r) => [r.conclusion, r.output.title])).toEqual([['failure', 'Could not evaluate the change: the impact step failed: the graph store stopped answering']]);
    expect(runs[0].output.summary).toContain('the impact step failed: the graph store stopped answering');
    expect(runs[0].annotations).toEqual([]);
    expect(h.fake.statusOf(REPO, pr.head, 'cmdb/approval')?.state).toBe('error');
    expect(h.fake.commentsOn(REPO, 33)[0].body).toContain('Could not evaluate the change');
    expect(journal(h.stateDir).filter((l) => l.id === sent.id && l.outcome)).toEqual([expect.objectContaining({ outcome: 'failed', detail: 'the impact step failed: the graph store stopped answering' })]);
  });

  it('evaluates again when the check run is re-requested', async () => {
    h = await startHarness();
    const pr = h.openPull(5, h.remote.demo.change);
    await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    await h.controller.idle();
    h.fake.addReview(REPO, 5, { login: CAB[0], state: 'APPROVED', commitId: pr.head });
    h.fake.addReview(REPO, 5, { login: CAB[2], state: 'APPROVED', commitId: pr.head });
    await h.send('check_run', checkRunRerequested(h.repo, pr));
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, pr.head).map((r) => r.conclusion)).toEqual(['action_required', 'success']);
    expect(h.fake.commentsOn(REPO, 5)).toHaveLength(1);
  });

  it('fetches only what is new: later fetches announce what the clone has', async () => {
    h = await startHarness();
    const pr = h.openPull(6, h.remote.demo.change);
    await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    await h.controller.idle();
    const uploads = () => h!.git.requests.filter((r) => r.path.endsWith('/git-upload-pack') && r.method === 'POST');
    expect(uploads()).toHaveLength(1);
    expect(uploads()[0].haves).toEqual([]);
    expect(uploads()[0].user).toBe('x-access-token');
    const pushed = h.pushToPull(6, { 'systems/online-boutique/notes.md': 'v3\n' });
    await h.send('pull_request', pullRequestEvent('synchronize', h.repo, pushed));
    await h.controller.idle();
    const second = uploads().at(-1)!;
    expect(second.wants).toContain(pushed.head);
    expect(second.haves).toEqual(expect.arrayContaining([h.remote.demo.main, h.remote.demo.change]));
    expect(second.responseBytes).toBeLessThan(uploads()[0].responseBytes / 4);
  });

  it('after a merge: follows the default branch and keeps a change record that `cmdb changes` lists', async () => {
    const moved: string[] = [];
    h = await startHarness({ controller: { onDefaultBranch: async (m) => void moved.push(m.commit) } });
    const pr = h.openPull(8, h.remote.demo.change, { title: 'Scale the cart', author: 'anguyen', createdAt: '2026-03-03T14:30:00Z' });
    await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    h.fake.addReview(REPO, 8, { login: CAB[0], state: 'APPROVED', commitId: pr.head, submittedAt: '2026-03-04T09:00:00Z' });
    h.fake.addReview(REPO, 8, { login: CAB[1], state: 'APPROVED', commitId: pr.head, submittedAt: '2026-03-04T10:15:00Z' });
    await h.send('pull_request_review', reviewEvent('submitted', h.repo, pr));
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, pr.head).at(-1)?.conclusion).toBe('success');

    const { before, after } = h.remote.merge(pr.head);
    const pull = h.fake.repo(REPO).pulls.get(8)!;
    Object.assign(pull, { state: 'closed', mergedAt: '2026-03-04T11:00:00Z', mergeCommitSha: after });
    h.fake.repo(REPO).commitPulls.set(after, [8]);
    await h.send('pull_request', pullRequestEvent('closed', h.repo, pr));
    await h.send('push', pushEvent(h.repo, { before, after }));
    await h.controller.idle();
    expect(moved).toEqual([after]);

    const listed = await changesJson(h.stateDir);
    expect(listed.code).toBe(0);
    const records = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      id: 'acme/config#8',
      number: 8,
      title: 'Scale the cart',
      author: 'anguyen',
      risk: 'high',
      changeType: 'normal',
      decision: 'pass',
      head: pr.head,
      mergeCommit: after,
      openedAt: '2026-03-03T14:30:00Z',
      approvedAt: '2026-03-04T10:15:00Z',
      mergedAt: '2026-03-04T11:00:00Z',
      approvedBy: ['csmith-acme', 'ewalsh'],
      source: 'pull-request',
      // The pull request's commits (those of its head not in main before the merge), full SHAs.
      commits: h.remote.bareGit('rev-list', '--reverse', `${before}..${pr.head}`).split('\n'),
    });
    expect(records[0].commits).toEqual([h.remote.demo.change]);
    // Lead time starts at the first commit: its committer date.
    expect(Date.parse(records[0].firstCommitAt as string)).toBe(Date.parse(h.remote.bareGit('show', '-s', '--format=%cI', h.remote.demo.change).trim()));
    expect(records[0].changed).toEqual(['component:default/cartservice', 'component:default/inventoryservice', 'resource:default/redis-cart']);
    expect(records[0].impacted).toContain('system:default/online-boutique');

    // The same push again (a redelivery with a new id) records nothing twice.
    await h.send('push', pushEvent(h.repo, { before, after }));
    await h.controller.idle();
    expect(JSON.parse((await changesJson(h.stateDir)).stdout)).toHaveLength(1);
  });
});

describe('merges GitHub has not associated with the commit yet', () => {
  it('records the change from the closed (merged) pull request read from the API', async () => {
    h = await startHarness();
    const pr = h.openPull(31, h.remote.demo.change, { title: 'Scale the cart', author: 'anguyen' });
    const { before, after } = h.remote.merge(pr.head);
    Object.assign(h.fake.repo(REPO).pulls.get(31)!, { state: 'closed', mergedAt: '2026-03-04T11:00:00Z', mergeCommitSha: after });
    await h.send('push', pushEvent(h.repo, { before, after })); // GET /commits/{sha}/pulls finds nothing yet
    await h.send('pull_request', pullRequestEvent('closed', h.repo, pr));
    await h.controller.idle();
    const records = JSON.parse((await changesJson(h.stateDir)).stdout) as Array<Record<string, unknown>>;
    expect(records.map((r) => [r.id, r.mergeCommit, r.mergedAt, r.decision])).toEqual([['acme/config#31', after, '2026-03-04T11:00:00Z', 'needs-approval']]);
  });
});

describe('reporting details', () => {
  it('sends annotations beyond GitHub’s 50 per request in further requests', async () => {
    h = await startHarness();
    const docs = Array.from({ length: 60 }, (_, i) => `apiVersion: cmdb/v1\nkind: Component\nmetadata:\n  name: bad-${i}\nspec:\n  type: service\n  owner: group:shop-team\n  criticality: urgent\n`).join('---\n');
    const head = h.remote.commitOn(h.remote.demo.main, { 'systems/online-boutique/bad.yaml': docs });
    const pr = h.openPull(9, head);
    await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    await h.controller.idle();
    const [run] = h.fake.checkRunsOn(REPO, head);
    expect(run.conclusion).toBe('failure');
    const onFile = run.annotations.filter((a) => a.path === 'systems/online-boutique/bad.yaml');
    expect(onFile.length).toBeGreaterThanOrEqual(60);
    expect(run.annotationRequests.every((n) => n <= 50)).toBe(true);
    expect(run.annotationRequests.length).toBeGreaterThan(1);
    expect(run.annotations.map((a) => a.start_line)).toContain(8 + 9 * 59);
  });

  it('keeps one sticky comment among many (all pages) and removes its own duplicates', async () => {
    h = await startHarness({ maxPerPage: 2 });
    const pr = h.openPull(10, h.remote.demo.change);
    const comments = h.fake.repo(REPO).comments;
    for (let i = 0; i < 5; i++) comments.push({ id: 50 + i, number: 10, body: `discussion ${i}`, login: 'anguyen' });
    comments.push({ id: 60, number: 10, body: '<!-- gitops-cmdb:change-report -->\nold report', login: 'cmdb-bot' });
    comments.push({ id: 61, number: 10, body: 'quoting it: <!-- gitops-cmdb:change-report -->', login: 'anguyen' });
    comments.push({ id: 62, number: 10, body: '<!-- gitops-cmdb:change-report -->\nduplicate', login: 'cmdb-bot' });
    await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    await h.controller.idle();
    const ours = h.fake.commentsOn(REPO, 10).filter((c) => c.login === 'cmdb-bot');
    expect(ours.map((c) => c.id)).toEqual([60]);
    expect(ours[0].body).toContain('Needs approval');
    expect(h.fake.commentsOn(REPO, 10)).toHaveLength(7);
    // Unchanged report: the comment is left as it is (no edit request).
    const edits = () => h!.fake.requests.filter((r) => r.operationId === 'issues/update-comment').length;
    const before = edits();
    await h.send('pull_request', pullRequestEvent('reopened', h.repo, pr));
    await h.controller.idle();
    expect(edits()).toBe(before);
  });

  it('works as a GitHub App: JWT for an installation token, the token for the API and for Git', async () => {
    h = await startHarness({ mode: 'app' });
    const pr = h.openPull(20, h.remote.demo.change);
    await h.send('pull_request', pullRequestEvent('opened', h.repo, pr));
    await h.controller.idle();
    expect(h.fake.checkRunsOn(REPO, pr.head).map((r) => r.conclusion)).toEqual(['action_required']);
    const tokenRequests = h.fake.requests.filter((r) => r.operationId === 'apps/create-installation-access-token');
    expect(tokenRequests.map((r) => r.auth)).toEqual(['app-jwt']);
    expect(h.fake.requests.filter((r) => r.operationId !== 'apps/create-installation-access-token').every((r) => r.auth === 'installation-token')).toBe(true);
    expect(h.git.requests.every((r) => r.user === 'x-access-token' && r.status === 200)).toBe(true);
    expect(h.fake.commentsOn(REPO, 20).map((c) => c.login)).toEqual(['gitops-cmdb[bot]']);
  });

  it('acknowledges events it does not act on, and ignores other repositories when configured', async () => {
    h = await startHarness({ controller: { repositories: ['acme/other'] } });
    const pr = h.openPull(21, h.remote.demo.change);
    expect((await h.send('pull_request', pullRequestEvent('opened', h.repo, pr))).status).toBe(202);
    expect((await h.send('pull_request', pullRequestEvent('assigned', h.repo, pr))).status).toBe(202);
    expect((await h.send('ping', { zen: 'Keep it logically awesome.', hook_id: 1 })).status).toBe(202);
    await h.controller.idle();
    expect(h.fake.requests).toEqual([]);
    const outcomes = journal(h.stateDir).filter((l) => l.op === 'done').map((l) => l.outcome);
    expect(outcomes).toEqual(['ignored', 'ignored', 'ignored']);
  });
});
