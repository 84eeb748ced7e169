/**
 * The GitHub controller at scale: webhook-to-check-run latency for the
 * generated 65-entity change on the large repo with a warm clone and graph,
 * and the throughput of 100 concurrent deliveries. Everything on 127.0.0.1:
 * the repo served by `git http-backend`, the GitHub API fake of the tests
 * (checking every exchange against GitHub's OpenAPI description), the
 * controller behind the API server's /webhooks/github route.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { GitHubController } from '../controller/github/GitHubController.ts';
import { OctokitGitHubApi } from '../controller/github/OctokitGitHubApi.ts';
import { WEBHOOK_PATH } from '../controller/github/webhookEndpoint.ts';
import { listen } from '../server/listen.ts';
import { createRouter } from '../server/router.ts';
import { FakeGitHub } from '../tests/github/fakeGitHub.ts';
import { GitHttpServer } from '../tests/github/gitHttpServer.ts';
import { deliver, pullRequestEvent, signDelivery, type RepoFields } from '../tests/github/payloads.ts';
import { formatMs, markdownHeader, markdownRow, summarize, type Summary } from './stats.ts';

const SECRET = 'bench-secret';
const TOKEN = 'ghp_bench0000000000000000000000000000000';
const FULL_NAME = 'bench/config';
/** Pull requests of the throughput run. */
const CONCURRENT = 100;

export interface GitHubBenchRepo {
  dir: string;
  base: string;
  head: string;
}

export interface GitHubBenchData {
  /** First fetch of the repo over smart HTTP (isomorphic-git) and the first snapshot and graph of main. */
  coldPrepareMs: number;
  /** First evaluation of the change (head snapshot and graph built). */
  firstEvaluationMs: number;
  /** Delivery POST to the check run's arrival at the API: the same head again (a review, a label). */
  sameHead: Summary;
  /** The same, for a new head commit each run (a push to the pull request: new snapshot and graph). */
  newHead: Summary;
  /** 100 deliveries for 100 pull requests, POSTed at once. */
  concurrent: { deliveries: number; ack: Summary; totalMs: number; perSecond: number };
  impacted: number;
  violations: string[];
}

const GIT_ENV = { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' };

const git = (gitdir: string, ...args: string[]) => execFileSync('git', ['--git-dir', gitdir, ...args], { encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();

/** A commit on `parent` that appends a comment line to `file` (a push to the pull request that changes one blob). */
function pushCommit(gitdir: string, parent: string, file: string, n: number, index: string): string {
  const env = { ...process.env, ...GIT_ENV, GIT_INDEX_FILE: index };
  const run = (args: string[], input?: string) => execFileSync('git', ['--git-dir', gitdir, ...args], { encoding: 'utf8', env, input }).trim();
  const blob = run(['hash-object', '-w', '--stdin'], `${run(['show', `${parent}:${file}`])}\n# push ${n}\n`);
  run(['read-tree', parent]);
  run(['update-index', '--cacheinfo', `100644,${blob},${file}`]);
  return run(['commit-tree', run(['write-tree']), '-p', parent, '-m', `push ${n}`]);
}

/** Runs the section; `repo` is the generated repository (base on main, the 65-entity change at head). */
export async function benchSection(options: { repo: GitHubBenchRepo; runs: number }): Promise<{ data: GitHubBenchData; markdown: string }> {
  const { repo } = options;
  const runs = Math.max(3, options.runs);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-bench-github-'));
  const bare = path.join(work, 'remote', `${FULL_NAME}.git`);
  fs.mkdirSync(path.dirname(bare), { recursive: true });
  execFileSync('git', ['clone', '-q', '--bare', repo.dir, bare]);
  git(bare, 'update-ref', 'refs/heads/main', repo.base);
  git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  git(bare, 'update-ref', 'refs/pull/1/head', repo.head);

  const fake = await FakeGitHub.start({ token: TOKEN });
  const server = await GitHttpServer.start({ root: path.join(work, 'remote'), tokens: () => [TOKEN] });
  const controller = await new GitHubController({
    stateDir: path.join(work, 'state'),
    api: new OctokitGitHubApi({ apiUrl: fake.url, auth: { kind: 'token', token: TOKEN } }),
    webhookSecret: SECRET,
    apiUrl: fake.url,
    cloneUrl: `${server.url}/{owner}/{repo}.git`,
    concurrency: 2,
    // CMDB_BENCH_LOG=debug shows where the time goes (fetch, prepare, evaluate, publish) per delivery.
    log: pino({ level: process.env.CMDB_BENCH_LOG ?? 'silent' }, pino.destination(2)),
  }).start();
  const api = await listen({ listener: createRouter({ routes: [{ methods: ['POST'], path: WEBHOOK_PATH, handler: controller.handler }] }), port: 0, host: '127.0.0.1' });
  const hook = `${api.url}${WEBHOOK_PATH}`;
  const fields: RepoFields = { owner: 'bench', name: 'config', cloneUrl: server.cloneUrl(FULL_NAME), defaultBranch: 'main' };
  const pull = (n: number, head: string) => {
    const existing = fake.repo(FULL_NAME).pulls.get(n);
    if (existing) existing.headSha = head;
    else fake.addPull(FULL_NAME, { number: n, headSha: head, headRef: `change-${n}`, baseRef: 'main', baseSha: repo.base, title: `Change ${n}` });
    git(bare, 'update-ref', `refs/pull/${n}/head`, head);
    return { number: n, head, base: repo.base, headRef: `change-${n}` };
  };
  let ids = 0;
  /** POSTs a delivery and resolves with the time from the POST to the check run's arrival at the API. */
  const timed = async (action: string, n: number, head: string): Promise<number> => {
    const signed = await signDelivery(SECRET, 'pull_request', `bench-${++ids}`, pullRequestEvent(action, fields, pull(n, head)));
    const arrival = fake.nextArrival('checks/create');
    const start = performance.now();
    const res = await deliver(hook, signed);
    if (res.status !== 202) throw new Error(`delivery answered ${res.status}`);
    const at = await arrival;
    await controller.idle();
    return at - start;
  };

  try {
    let t = performance.now();
    await controller.prepare(FULL_NAME);
    const coldPrepareMs = performance.now() - t;
    t = performance.now();
    await timed('opened', 1, repo.head);
    const firstEvaluationMs = performance.now() - t;

    const same: number[] = [];
    for (let i = 0; i < runs; i++) same.push(await timed('labeled', 1, repo.head));
    const fresh: number[] = [];
    const file = git(bare, 'diff-tree', '-r', '--name-only', '--no-commit-id', repo.base, repo.head).split('\n').find((f) => f.endsWith('.yaml'))!;
    let parent = repo.head;
    for (let i = 0; i < runs; i++) {
      parent = pushCommit(bare, parent, file, i, path.join(work, 'index'));
      fresh.push(await timed('synchronize', 1, parent));
    }

    const signed = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => signDelivery(SECRET, 'pull_request', `bench-c-${i}`, pullRequestEvent('opened', fields, pull(100 + i, repo.head)))));
    const acks: number[] = [];
    t = performance.now();
    await Promise.all(
      signed.map(async (s) => {
        const start = performance.now();
        const res = await deliver(hook, s);
        if (res.status !== 202) throw new Error(`delivery answered ${res.status}`);
        acks.push(performance.now() - start);
      }),
    );
    await controller.idle();
    const totalMs = performance.now() - t;
    const created = fake.repo(FULL_NAME).checkRuns.filter((r) => r.externalId?.startsWith('bench-c-')).length;
    if (created !== CONCURRENT) throw new Error(`${created} check runs for ${CONCURRENT} deliveries`);
    const impacted = Number(/Blast radius: (\d+) entities/.exec(fake.commentsOn(FULL_NAME, 1)[0]?.body ?? '')?.[1] ?? 0);

    const data: GitHubBenchData = {
      coldPrepareMs,
      firstEvaluationMs,
      sameHead: summarize(same),
      newHead: summarize(fresh),
      concurrent: { deliveries: CONCURRENT, ack: summarize(acks), totalMs, perSecond: CONCURRENT / (totalMs / 1000) },
      impacted,
      violations: fake.violations,
    };
    return { data, markdown: markdown(data) };
  } finally {
    await api.close();
    await controller.close();
    await fake.close();
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function markdown(d: GitHubBenchData): string {
  const row = (label: string, s: Summary) => markdownRow([label, formatMs(s.p50), formatMs(s.p99), s.n]);
  return [
    '### GitHub controller: webhook to check run',
    '',
    `The 65-entity change (blast radius ${d.impacted.toLocaleString('en')} entities), repo served by \`git http-backend\`, GitHub API fake checking every exchange against the OpenAPI description (${d.violations.length} mismatches).`,
    '',
    markdownHeader(['delivery to check run', 'p50', 'p99', 'n']),
    row('same head again (review, label): warm clone, snapshot and graph', d.sameHead),
    row('new head (a push changing one file): warm clone and base graph, new head snapshot and graph', d.newHead),
    '',
    `Cold start: first fetch of the repo over smart HTTP and first snapshot and graph of main ${formatMs(d.coldPrepareMs)}; first evaluation of the change ${formatMs(d.firstEvaluationMs)}.`,
    '',
    markdownHeader(['100 concurrent deliveries (100 pull requests)', 'value']),
    markdownRow(['acknowledged (202, journaled and fsynced) p50 / p99', `${formatMs(d.concurrent.ack.p50)} / ${formatMs(d.concurrent.ack.p99)}`]),
    markdownRow(['all 100 evaluated and reported', formatMs(d.concurrent.totalMs)]),
    markdownRow(['throughput', `${d.concurrent.perSecond.toFixed(1)} deliveries/s`]),
  ].join('\n');
}
