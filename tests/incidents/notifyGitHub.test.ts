/** One GitHub issue per incident, against the GitHub fake checked with GitHub's OpenAPI description. */
import { afterEach, describe, expect, it } from 'vitest';
import { OctokitGitHubApi } from '../../controller/github/OctokitGitHubApi.ts';
import { GitHubIssueNotifier, type GitHubIssueNotifierOptions } from '../../incidents/notify/GitHubIssueNotifier.ts';
import { NotificationSender } from '../../incidents/notify/NotificationSender.ts';
import type { Incident } from '../../state/IncidentRecords.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';
import { FakeGitHub } from '../github/fakeGitHub.ts';
import { at, capturedLog, engineWrites, incident, notification } from './notifyFixtures.ts';

const TOKEN = 'ghp_notifytoken000000000000000000000000000';
const REPO = { owner: 'acme', name: 'config' };
let fake: FakeGitHub | undefined;
afterEach(async () => {
  if (fake) expect(fake.violations).toEqual([]);
  await fake?.close();
  fake = undefined;
});

async function rig(token = TOKEN) {
  fake = await FakeGitHub.start({ token: TOKEN });
  const store = new InMemoryIncidentStore();
  await store.open();
  const { log, lines } = capturedLog();
  const api = new OctokitGitHubApi({ apiUrl: fake.url, auth: { kind: 'token', token } });
  const senderOn = (s: IncidentStore, wrap: (a: OctokitGitHubApi) => GitHubIssueNotifierOptions['api'] = (a) => a) => {
    const notifier = new GitHubIssueNotifier({ api: wrap(api), repo: REPO, incidentUrl: (id) => `https://cmdb.example.com/ui/incidents/${id}`, log });
    return new NotificationSender({ store: s, notifiers: new Map([[notifier.target, notifier]]), log, random: () => 0.5 });
  };
  return { store, api, sender: senderOn(store), senderOn, lines, issues: () => [...fake!.repo('acme/config').issues.values()] };
}

/** The incident one engine step later: a new revision with one more timeline entry. */
function next(inc: Incident, type: string, message: string, changes: Partial<Incident> = {}): Incident {
  const when = at(inc.revision * 60_000).toISOString();
  return { ...inc, ...changes, revision: inc.revision + 1, timeline: [...inc.timeline, { at: when, type, by: type === 'acknowledged' ? 'alice' : 'cmdb', message }] };
}

describe('GitHub issues for incidents', () => {
  it('opens an issue, comments on updates, closes it on resolve and reopens it with the incident', async () => {
    const { store, sender, issues } = await rig();
    let inc = incident('INC-1');
    await engineWrites(store, inc, [notification('github-issue', 'INC-1', 1)], { signals: [{ fingerprint: 'fp-INC-1', ref: 'component:default/db', source: 'alertmanager', kind: 'alert', field: 'DbDown', message: 'db down, ping @octocat about #12', firstSeen: inc.openedAt, lastSeen: inc.openedAt, state: 'firing', incident: 'INC-1' }] });
    expect((await sender.flushOnce(at(1_000))).delivered).toHaveLength(1);
    expect(issues()).toHaveLength(1);
    const [issue] = issues();
    expect(issue.title).toBe('[INC-1] component:default/db is unhealthy');
    expect(issue.state).toBe('open');
    expect(issue.body).toContain('**Severity:** critical');
    expect(issue.body).toContain('**Root:** `component:default/db`');
    expect(issue.body).toContain('**Impacted:** 2 entities');
    expect(issue.body).toContain('1. #42 Scale db to zero (`aaaaaaaaaaaa`): changed the root component:default/db');
    expect(issue.body).toContain('- [Database down](https://github.com/acme/config/blob/HEAD/runbooks/db.md)');
    expect(issue.body).toContain('[INC-1 in gitops-cmdb](https://cmdb.example.com/ui/incidents/INC-1)');
    // Text from alerts notifies nobody and links nothing.
    expect(issue.body).toContain('ping @\u200boctocat about #\u200b12');

    inc = next(inc, 'correlated', 'component:default/api joined', { severity: 'high' });
    await engineWrites(store, inc, [notification('github-issue', 'INC-1', 2)]);
    await sender.flushOnce(at(120_000));
    let comments = fake!.commentsOn('acme/config', issue.number);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('`correlated` by cmdb: component:default/api joined');
    expect(comments[0].body).not.toContain('`opened`');
    expect(issue.body).toContain('**Severity:** high');

    inc = next(inc, 'resolved', 'all signals clear for 1m', { state: 'resolved', resolvedAt: at(180_000).toISOString() });
    await engineWrites(store, inc, [notification('github-issue', 'INC-1', 3, { event: 'incident.resolved' })]);
    await sender.flushOnce(at(180_000));
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed' });
    comments = fake!.commentsOn('acme/config', issue.number);
    expect(comments.at(-1)!.body).toMatch(/is now \*\*resolved\*\*[\s\S]*`resolved` by cmdb: all signals clear for 1m/);

    inc = next(inc, 'reopened', 'DbDown fired again', { state: 'open', resolvedAt: undefined });
    await engineWrites(store, inc, [notification('github-issue', 'INC-1', 4)]);
    await sender.flushOnce(at(240_000));
    expect(issue).toMatchObject({ state: 'open', stateReason: 'reopened' });
    expect(fake!.commentsOn('acme/config', issue.number)).toHaveLength(3);
    expect(issues()).toHaveLength(1);
    expect(store.outbox()).toEqual([]);
  });

  it('opens no second issue after a crash between creating it and committing, and no second comment after one between commenting and committing', async () => {
    const { store, senderOn, issues } = await rig();
    let inc = incident('INC-1');
    const opened = notification('github-issue', 'INC-1', 1);
    await engineWrites(store, inc, [opened]);
    const dying = senderOn(new Proxy(store, { get: (t, p) => (p === 'commit' ? () => Promise.reject(new Error('killed')) : (Reflect.get(t, p, t) as unknown)) }));
    expect((await dying.flushOnce(at(1_000))).uncommitted).toEqual([opened.id]);
    expect(issues()).toHaveLength(1);

    inc = next(inc, 'acknowledged', 'acknowledged by alice');
    const update = notification('github-issue', 'INC-1', 2);
    await engineWrites(store, inc, [update]);
    // Restarted (a new notifier: it remembers no issue number): the resent `opened` finds the issue by its marker.
    const restarted = senderOn(store);
    const dyingAgain = senderOn(new Proxy(store, { get: (t, p) => (p === 'commit' ? () => Promise.reject(new Error('killed')) : (Reflect.get(t, p, t) as unknown)) }));
    await restarted.flushOnce(at(60_000));
    expect(issues()).toHaveLength(1);
    expect(store.outbox()).toEqual([]);
    expect(fake!.commentsOn('acme/config', issues()[0].number)).toHaveLength(1);

    inc = next(inc, 'note', 'looking into it');
    const note = notification('github-issue', 'INC-1', 3);
    await engineWrites(store, inc, [note]);
    expect((await dyingAgain.flushOnce(at(120_000))).uncommitted).toEqual([note.id]);
    expect((await senderOn(store).flushOnce(at(120_000))).delivered).toEqual([note.id]);
    let comments = fake!.commentsOn('acme/config', issues()[0].number);
    expect(comments).toHaveLength(2);
    expect(comments[1].body).toContain('looking into it');

    // The edit after the comment fails (the process dies, or GitHub answers 502): the retry does not comment again.
    inc = next(inc, 'note', 'found it: a bad index');
    const found = notification('github-issue', 'INC-1', 4);
    await engineWrites(store, inc, [found]);
    const editFails = senderOn(store, (a) => ({
      listIssuesSince: (r, since) => a.listIssuesSince(r, since),
      getIssue: (r, n) => a.getIssue(r, n),
      createIssue: (r, i) => a.createIssue(r, i),
      listComments: (r, n) => a.listComments(r, n),
      createComment: (r, n, b) => a.createComment(r, n, b),
      updateIssue: () => Promise.reject(Object.assign(new Error('Bad Gateway'), { status: 502 })),
    }));
    expect((await editFails.flushOnce(at(180_000))).retried).toEqual([found.id]);
    expect(fake!.commentsOn('acme/config', issues()[0].number)).toHaveLength(3);
    expect((await senderOn(store).flushOnce(at(200_000))).delivered).toEqual([found.id]);
    comments = fake!.commentsOn('acme/config', issues()[0].number);
    expect(comments).toHaveLength(3);
    expect(comments[2].body).toContain('found it: a bad index');
    expect(issues()[0].body).toContain('timeline: 4 -->');
  });

  it('opens the issue on a later update when the opening notification was lost', async () => {
    const { store, sender, issues } = await rig();
    const inc = next(incident('INC-1'), 'acknowledged', 'acknowledged by alice', { state: 'acknowledged' });
    await engineWrites(store, inc, [notification('github-issue', 'INC-1', 2)]);
    await sender.flushOnce(at(60_000));
    expect(issues().map((i) => i.title)).toEqual(['[INC-1] component:default/db is unhealthy']);
    expect(issues()[0].body).toContain('**State:** acknowledged');
  });

  it('tells apart two incidents of one id from stores started afresh (by when they opened)', async () => {
    const { store, sender, senderOn, issues } = await rig();
    await engineWrites(store, incident('INC-1'), [notification('github-issue', 'INC-1', 1)]);
    await sender.flushOnce(at(1_000));
    const fresh = new InMemoryIncidentStore();
    const later = incident('INC-1', { openedAt: at(3_600_000).toISOString(), title: 'component:default/cache is unhealthy' });
    await engineWrites(fresh, later, [notification('github-issue', 'INC-1', 1)]);
    await senderOn(fresh).flushOnce(at(3_601_000));
    expect(issues().map((i) => i.title)).toEqual(['[INC-1] component:default/db is unhealthy', '[INC-1] component:default/cache is unhealthy']);
  });

  it('the fake checks the issue endpoints against GitHub’s description too', async () => {
    await rig();
    const call = (method: string, path: string, body?: unknown) => fetch(`${fake!.url}${path}`, { method, headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await call('POST', '/repos/acme/config/issues', { title: 'x', state: 'open' })).status).toBe(201);
    expect((await call('GET', '/repos/acme/config/issues?state=everything')).status).toBe(200);
    expect((await call('PATCH', '/repos/acme/config/issues/1', { state: 'done' })).status).toBe(200);
    expect(fake!.violations.join('\n')).toMatch(/issues\/list-for-repo query state=everything/);
    expect(fake!.violations.join('\n')).toMatch(/issues\/update request body: \/state must be equal to one of the allowed values/);
    fake!.violations.length = 0;
  });

  it('gives up on a 4xx from GitHub (bad credentials) with an error in the log', async () => {
    const { store, sender, lines } = await rig('ghp_wrong');
    const n = notification('github-issue', 'INC-1', 1);
    await engineWrites(store, incident('INC-1'), [n]);
    expect((await sender.flushOnce(at(1_000))).gaveUp).toEqual([n.id]);
    expect(lines.find((l) => l.notification === n.id && l.level === 50)?.err).toMatch(/HTTP 401/);
    expect(fake!.authFailures.length).toBeGreaterThan(0);
  });
});
