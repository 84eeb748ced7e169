/**
 * End-to-end rig: the Acme demo config repo served over real Git smart HTTP
 * (`git http-backend`) as `acme/config`, the GitHub API fake, and the
 * controller behind the server's router at /webhooks/github, all on 127.0.0.1.
 */
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { GitHubController, type GitHubControllerOptions } from '../../controller/github/GitHubController.ts';
import { OctokitGitHubApi } from '../../controller/github/OctokitGitHubApi.ts';
import { WEBHOOK_PATH } from '../../controller/github/webhookEndpoint.ts';
import { createDemoRepo } from '../../examples/create-demo-repo.ts';
import type { RunningHttpServer } from '../../server/listen.ts';
import { serveRoutes } from '../helpers/http.ts';
import { TestRepo } from '../helpers/gitRepo.ts';
import { FakeGitHub, type FakePull } from './fakeGitHub.ts';
import { GitHttpServer } from './gitHttpServer.ts';
import { deliver, signDelivery, type PullFields, type RepoFields } from './payloads.ts';

export const SECRET = 'webhook-secret-for-tests';
export const TOKEN = 'ghp_testtoken0000000000000000000000000000';
export const APP_ID = '314159';

/** The config repo as GitHub would hold it: a bare repository served over HTTP, and a work tree to make commits in. */
export class ConfigRemote {
  constructor(
    readonly fullName: string,
    readonly bare: string,
    readonly work: TestRepo,
    /** Commits of the demo: main and the scale-cart change (touches critical services). */
    readonly demo: { main: string; change: string },
  ) {}

  /** The Acme demo repo, pushed as `root/<fullName>.git`. */
  static async create(root: string, fullName = 'acme/config'): Promise<ConfigRemote> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-gh-work-'));
    const demo = await createDemoRepo({ dir: workDir });
    const bare = path.join(root, `${fullName}.git`);
    fs.mkdirSync(path.dirname(bare), { recursive: true });
    execFileSync('git', ['clone', '-q', '--bare', workDir, bare]);
    return new ConfigRemote(fullName, bare, new TestRepo(workDir), { main: demo.main, change: demo.change });
  }

  bareGit(...args: string[]): string {
    return execFileSync('git', ['--git-dir', this.bare, ...args], { encoding: 'utf8' }).trim();
  }

  /** Opens pull request `number` at `head`: GitHub's `refs/pull/N/head` and a branch. */
  openPull(number: number, head: string): void {
    this.bareGit('update-ref', `refs/pull/${number}/head`, head);
    this.bareGit('update-ref', `refs/heads/change-${number}`, head);
  }

  /** A new commit on top of `parent` with these files (pushed to the pull request when `pull` is given). */
  commitOn(parent: string, files: Record<string, string | undefined>, pull?: number): string {
    this.work.git('checkout', '-q', '--detach', parent);
    const sha = this.work.commit(files, `change on ${parent.slice(0, 7)}`);
    this.work.git('push', '-q', '--force', this.bare, `${sha}:refs/heads/work-${sha.slice(0, 8)}`);
    if (pull !== undefined) this.openPull(pull, sha);
    return sha;
  }

  /** Merges `head` into main with a merge commit (as GitHub's merge button); returns main before and after. */
  merge(head: string): { before: string; after: string } {
    const before = this.bareGit('rev-parse', 'refs/heads/main');
    this.work.git('checkout', '-q', '--detach', before);
    this.work.git('merge', '-q', '--no-ff', '-m', 'Merge pull request', head);
    const after = this.work.git('rev-parse', 'HEAD');
    this.work.git('push', '-q', '--force', this.bare, `${after}:refs/heads/main`);
    return { before, after };
  }

  file(commit: string, file: string): string {
    return this.work.git('show', `${commit}:${file}`);
  }

  remove(): void {
    this.work.remove();
  }
}

export interface HarnessOptions {
  mode?: 'token' | 'app';
  now?: () => Date;
  concurrency?: number;
  maxPerPage?: number;
  stateDir?: string;
  controller?: Partial<GitHubControllerOptions>;
}

export interface Harness {
  fake: FakeGitHub;
  git: GitHttpServer;
  remote: ConfigRemote;
  controller: GitHubController;
  server: RunningHttpServer;
  webhookUrl: string;
  stateDir: string;
  repo: RepoFields;
  /** Signs and POSTs a delivery (a fresh id unless given). */
  send(event: string, payload: Record<string, unknown>, id?: string): Promise<{ status: number; id: string; body: Record<string, unknown> }>;
  /** PullFields of pull request `number` at `head` on main. */
  pull(number: number, head: string): PullFields;
  /** Opens pull request `number` at `head` on GitHub (the fake) and in the served repository; returns its PullFields. */
  openPull(number: number, head: string, extra?: Partial<FakePull>): PullFields;
  /** A new commit on the pull request's head (a push to the branch); returns its PullFields. */
  pushToPull(number: number, files: Record<string, string | undefined>): PullFields;
  close(): Promise<void>;
}

/** An RSA key pair as GitHub issues for an App (PKCS#1 PEM private key). */
export function appKeyPair(): { privateKey: string; publicKey: crypto.KeyObject } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const mode = options.mode ?? 'token';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-gh-remote-'));
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-gh-state-'));
  const keys = mode === 'app' ? appKeyPair() : undefined;
  const fake = await FakeGitHub.start({ token: mode === 'token' ? TOKEN : undefined, app: keys ? { id: APP_ID, publicKey: keys.publicKey, slug: 'gitops-cmdb' } : undefined, maxPerPage: options.maxPerPage });
  const git = await GitHttpServer.start({ root, tokens: () => (mode === 'token' ? [TOKEN] : fake.issuedTokens) });
  const remote = await ConfigRemote.create(root);
  const api = new OctokitGitHubApi({ apiUrl: fake.url, auth: keys ? { kind: 'app', appId: APP_ID, privateKey: keys.privateKey } : { kind: 'token', token: TOKEN } });
  const controller = await new GitHubController({
    stateDir,
    api,
    webhookSecret: SECRET,
    apiUrl: fake.url,
    log: pino({ level: process.env.CMDB_TEST_LOG ?? 'silent' }),
    concurrency: options.concurrency,
    now: options.now,
    ...options.controller,
  }).start();
  const server = await serveRoutes([{ methods: ['POST'], path: WEBHOOK_PATH, handler: controller.handler }]);
  const [owner, name] = remote.fullName.split('/');
  const repo: RepoFields = { owner, name, cloneUrl: git.cloneUrl(remote.fullName), defaultBranch: 'main', installationId: keys ? fake.repo(remote.fullName).installationId : undefined };
  let n = 0;
  return {
    fake,
    git,
    remote,
    controller,
    server,
    webhookUrl: `${server.url}${WEBHOOK_PATH}`,
    stateDir,
    repo,
    async send(event, payload, id = `${crypto.randomUUID()}-${++n}`) {
      const r = await deliver(`${server.url}${WEBHOOK_PATH}`, await signDelivery(SECRET, event, id, payload));
      return { ...r, id };
    },
    pull: (number, head) => ({ number, head, base: remote.bareGit('rev-parse', 'refs/heads/main'), headRef: `change-${number}` }),
    openPull(number, head, extra = {}) {
      remote.openPull(number, head);
      const fields: PullFields = { number, head, base: remote.bareGit('rev-parse', 'refs/heads/main'), headRef: `change-${number}` };
      fake.addPull(remote.fullName, { number, headSha: head, headRef: fields.headRef!, baseRef: 'main', baseSha: fields.base, ...extra });
      return fields;
    },
    pushToPull(number, files) {
      const pull = fake.repo(remote.fullName).pulls.get(number)!;
      const head = remote.commitOn(pull.headSha, files, number);
      pull.headSha = head;
      return { number, head, base: pull.baseSha, headRef: pull.headRef };
    },
    async close() {
      await server.close();
      await controller.close();
      await fake.close();
      await git.close();
      remote.remove();
      fs.rmSync(root, { recursive: true, force: true });
      if (!options.stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
