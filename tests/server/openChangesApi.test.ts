/**
 * `openChanges` through `cmdb serve --github-repo` (startRuntime): the open
 * pull request the GitHub controller evaluated, from a real webhook delivery
 * (the GitHub fake, the demo config repo over Git smart HTTP), as GraphQL
 * lists it: the runtime passes what the controller keeps to the API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { FakeGitHub } from '../github/fakeGitHub.ts';
import { GitHttpServer } from '../github/gitHttpServer.ts';
import { ConfigRemote, SECRET, TOKEN } from '../github/harness.ts';
import { deliver, pullRequestEvent, signDelivery, type RepoFields } from '../github/payloads.ts';
import { waitFor } from './support.ts';

const REPO = 'acme/config';
let fake: FakeGitHub;
let git: GitHttpServer;
let remote: ConfigRemote;
let root: string;
let stateDir: string;
let cacheDir: string;
let runtime: Runtime | undefined;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-open-remote-'));
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-open-state-'));
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-open-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  fake = await FakeGitHub.start({ token: TOKEN });
  git = await GitHttpServer.start({ root, tokens: () => [TOKEN] });
  remote = await ConfigRemote.create(root);
});

afterAll(async () => {
  await runtime?.shutdown();
  await fake?.close();
  await git?.close();
  remote?.remove();
  for (const dir of [root, stateDir, cacheDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('lists the open pull request the controller evaluated, with its risk and decision', { timeout: 120_000 }, async () => {
  const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url, GITHUB_WEBHOOK_SECRET: SECRET, CMDB_GITHUB_CLONE_URL: `${git.url}/{owner}/{repo}.git` };
  runtime = await startRuntime({ flags: { githubRepo: REPO, stateDir, port: 0, poll: 0 }, env, log: pino({ level: 'silent' }), out: () => undefined });
  const rt = runtime;
  const gql = async (query: string) => (await (await fetch(`${rt.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as any;
  expect(await gql('{ openChanges { id } }')).toEqual({ data: { openChanges: [] } });

  const repo: RepoFields = { owner: 'acme', name: 'config', cloneUrl: git.cloneUrl(REPO), defaultBranch: 'main' };
  const base = remote.demo.main;
  const head = remote.commitOn(remote.demo.change, { 'systems/online-boutique/note.md': 'change\n' }, 21);
  fake.addPull(REPO, { number: 21, headSha: head, headRef: 'change-21', baseRef: 'main', baseSha: base });
  const body = await signDelivery(SECRET, 'pull_request', 'd21', pullRequestEvent('opened', repo, { number: 21, head, base, headRef: 'change-21' }));
  expect((await deliver(`${rt.url}/webhooks/github`, body)).status).toBe(202);
  await waitFor('the evaluation', () => fake.repo(REPO).checkRuns.length > 0, 60_000);

  let listed: any[] = [];
  await waitFor('the open change to be kept', async () => {
    listed = (await gql('{ openChanges { id number head risk decision changed touched conflicts { id } } }')).data.openChanges;
    return listed.length === 1;
  });
  expect(listed[0]).toMatchObject({ id: 'acme/config#21', number: 21, head, risk: 'high', decision: 'needs-approval', conflicts: [] });
  expect(listed[0].changed.length).toBeGreaterThan(0);
  expect(listed[0].touched).toEqual(expect.arrayContaining(listed[0].changed));
});
