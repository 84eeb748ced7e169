/**
 * Reconciler speed (issue 10), on real parts:
 *  - Kubernetes: a private kube-apiserver + etcd (tests/infra/kube.ts), N
 *    Deployments in one namespace, N bindings (1% drifted). Measured in a
 *    child process run with --expose-gc (so the heap figures are after a
 *    forced GC and not polluted by the creation of the Deployments):
 *    the first full list and compare, the delay from a PATCH to its
 *    finding, and the reconciler's memory.
 *  - HTTP: 1,000 bindings to 1,000 paths of 4 servers on 127.0.0.1 (1%
 *    answering 500): one `reconcileOnce` round, and the first round of the
 *    continuous mode.
 * `npm run bench -- --only reconcile --sizes 10000` (N = the smallest size).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { bindingsFromObserve } from '../reconcilers/bindings.ts';
import { HttpReconciler, DEFAULT_HTTP_CONCURRENCY } from '../reconcilers/http/HttpReconciler.ts';
import { loadKubeConfig } from '../reconcilers/kubernetes/access.ts';
import { configForContext } from '../reconcilers/kubernetes/client.ts';
import { KubernetesReconciler } from '../reconcilers/kubernetes/KubernetesReconciler.ts';
import type { Binding, FindingChange } from '../reconcilers/types.ts';
import { formatBytes, formatMs, markdownHeader, markdownRow, summarize, type Summary } from './stats.ts';

const log = (line: string) => process.stderr.write(`[bench reconcile] ${line}\n`);

// ---------------------------------------------------------------- bindings

const IMAGE = 'registry.example/app:v1';
const DRIFTED_IMAGE = 'registry.example/app:v2';
const REPLICAS = 2;

function bindingOf(ref: string, entry: unknown): Binding {
  const { bindings, problems } = bindingsFromObserve(ref, [entry]);
  if (problems.length > 0 || bindings.length !== 1) throw new Error(`bad bench binding ${ref}: ${JSON.stringify(problems)}`);
  return bindings[0];
}

const deploymentName = (i: number) => `app-${String(i).padStart(5, '0')}`;
/** Every 100th Deployment runs another image than its binding expects. */
const isDrifted = (i: number) => i % 100 === 0;

function kubernetesBinding(namespace: string, i: number): Binding {
  return bindingOf(`service:default/${deploymentName(i)}`, {
    kubernetes: {
      cluster: 'cluster:default/bench',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name: deploymentName(i),
      expect: { spec: { replicas: REPLICAS, template: { spec: { containers: [{ name: 'server', image: IMAGE }] } } } },
    },
  });
}

function deployment(namespace: string, i: number): Record<string, unknown> {
  const name = deploymentName(i);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'server', image: isDrifted(i) ? DRIFTED_IMAGE : IMAGE, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      },
    },
  };
}

// ---------------------------------------------------------------- Kubernetes (parent: set-up)

export interface KubernetesFigures {
  objects: number;
  createMs: number;
  /** start(bindings) to the last `opened` of the drifted bindings (all judged in one pass of the synced collection). */
  firstJudgementMs: number;
  startResolvedMs: number;
  findingsAfterFirst: number;
  expectedFindings: number;
  /** From sending the PATCH to the `opened` of its binding. */
  delay: Summary;
  /** From the PATCH response to the `opened` (negative when the watch event came first). */
  delayAfterResponse: Summary;
  /** Duration of one re-judgement per watch event (the bindings of the object it names), during the PATCHes. */
  judge: Summary;
  heapBefore: number;
  heapAfter: number;
  rssBefore: number;
  rssAfter: number;
  /** Heap of the N bindings themselves (before the reconciler), for comparison. */
  bindingsHeap: number;
}

interface ChildArgs {
  kubeconfig: string;
  namespace: string;
  objects: number;
  patches: number;
}

async function runPool<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/** Starts a private API server, creates the Deployments, measures in a child process, stops the server. */
async function benchKubernetes(objects: number): Promise<KubernetesFigures | string> {
  const { findKubeInstallation, kubeInstallationDir, notInstalledMessage, startKube, kubeRequest } = await import('../tests/infra/kube.ts');
  if (!(await findKubeInstallation())) return `skipped: ${notInstalledMessage(await kubeInstallationDir())}`;
  const kube = await startKube({ log: (line) => line.startsWith('[kube]') && log(line) });
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const sent = performance.now();
    const res = await kubeRequest({ server: kube.server, token: kube.adminToken, method, path, body });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    };
    const namespace = `bench-${Date.now().toString(36)}`;
    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const started = performance.now();
    let done = 0;
    await runPool(Array.from({ length: objects }, (_, i) => i), 32, async (i) => {
      await call('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, deployment(namespace, i));
      if (++done % 1000 === 0) log(`created ${done}/${objects} Deployments (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    });
    const createMs = performance.now() - started;
    const args: ChildArgs = { kubeconfig: kube.kubeconfig, namespace, objects, patches: 100 };
    const figures = await runChild(args);
    return { ...figures, createMs };
  } finally {
    await kube.stop();
  }
}

/** This file run with --expose-gc; its last stdout line is the JSON figures. */
function runChild(args: ChildArgs): Promise<Omit<KubernetesFigures, 'createMs'>> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the reconcile measurement exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

// ---------------------------------------------------------------- Kubernetes (child: measurement)

function gcNow(): { heap: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function measureKubernetes(args: ChildArgs): Promise<Omit<KubernetesFigures, 'createMs'>> {
  const config = loadKubeConfig(args.kubeconfig);
  const admin = configForContext(config, 'admin')!;
  const { kubeRequest } = await import('../tests/infra/kube.ts');
  const server = admin.getCurrentCluster()!.server;
  const token = admin.getCurrentUser()!.token!;

  const empty = gcNow();
  const bindings = Array.from({ length: args.objects }, (_, i) => kubernetesBinding(args.namespace, i));
  const before = gcNow();
  const expectedFindings = bindings.filter((_, i) => isDrifted(i)).length;

  // `opened` carries finding keys: the binding's key, a space, the field (or the finding kind).
  const opened = new Map<string, number>();
  const openedFor = (bindingKey: string) => [...opened.keys()].find((k) => k.startsWith(`${bindingKey} `));
  let waiter: { key?: string; count?: number; resolve: () => void } | undefined;
  const satisfied = (w: { key?: string; count?: number }) => (w.key !== undefined && openedFor(w.key) !== undefined) || (w.count !== undefined && opened.size >= w.count);
  const onChange = (change: FindingChange) => {
    if (change.type !== 'opened') return;
    opened.set(change.key, performance.now());
    if (waiter && satisfied(waiter)) waiter.resolve();
  };
  const until = (w: { key?: string; count?: number }, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${JSON.stringify(w)} (${opened.size} opened)`)), timeoutMs);
      waiter = { ...w, resolve: () => { clearTimeout(timer); waiter = undefined; resolve(); } };
      if (satisfied(w)) waiter.resolve();
    });

  const judgeMs: number[] = [];
  const stepTimer = (_check: string, step: string, seconds: number) => void (step === 'judge' && judgeMs.push(seconds * 1000));
  const reconciler = new KubernetesReconciler({ access: () => ({ config: admin }), onChange, stepTimer, onError: (e) => log(`reconciler error: ${String(e)}`) });
  const t0 = performance.now();
  const firstDone = until({ count: expectedFindings }, 120_000);
  await reconciler.start(bindings);
  const startResolvedMs = performance.now() - t0;
  await firstDone;
  const firstJudgementMs = Math.max(...opened.values()) - t0;
  const findingsAfterFirst = reconciler.findings().length;
  log(`first list and compare of ${args.objects}: ${formatMs(firstJudgementMs)} (${findingsAfterFirst} findings)`);
  const after = gcNow();

  // Delay: one PATCH at a time on a binding without a finding, until its `opened`.
  // From the PATCH sent: the change happens in the API server before its response, and the
  // watch event often arrives first, so the figure from the response is also kept (can be < 0).
  const judgesBefore = judgeMs.length;
  const delays: number[] = [];
  const afterResponse: number[] = [];
  for (let p = 0; p < args.patches; p++) {
    const i = 1 + ((p * 97) % args.objects);
    if (isDrifted(i)) continue;
    const key = bindings[i].key;
    const name = deploymentName(i);
    const sent = performance.now();
    const res = await kubeRequest({ server, token, method: 'PATCH', path: `/apis/apps/v1/namespaces/${args.namespace}/deployments/${name}`, body: { spec: { replicas: REPLICAS + 1 } }, contentType: 'application/merge-patch+json' });
    if (res.status >= 300) throw new Error(`PATCH ${name}: ${res.status} ${res.text}`);
    const patched = performance.now();
    await until({ key }, 30_000);
    const found = opened.get(openedFor(key)!)!;
    delays.push(found - sent);
    afterResponse.push(found - patched);
  }
  await reconciler.stop();
  const delay = summarize(delays);
  log(`delay PATCH -> finding over ${delay.n}: p50 ${formatMs(delay.p50)}, p99 ${formatMs(delay.p99)}`);
  return {
    objects: args.objects,
    firstJudgementMs,
    startResolvedMs,
    findingsAfterFirst,
    expectedFindings,
    delay,
    delayAfterResponse: summarize(afterResponse),
    judge: summarize(judgeMs.slice(judgesBefore)),
    heapBefore: before.heap,
    heapAfter: after.heap,
    rssBefore: before.rss,
    rssAfter: after.rss,
    bindingsHeap: before.heap - empty.heap,
  };
}

// ---------------------------------------------------------------- HTTP

export interface HttpFigures {
  bindings: number;
  servers: number;
  concurrency: number;
  onceMs: number[];
  onceFindings: number;
  /** start(bindings) to the end of the first probe of every binding (continuous mode). */
  firstRoundMs: number;
  watchFindings: number;
}

async function benchHttp(count = 1000, serverCount = 4): Promise<HttpFigures> {
  const servers: Server[] = [];
  for (let s = 0; s < serverCount; s++) {
    const srv = createServer((req, res) => {
      const status = /\/p-(\d*00|0)$/.test(req.url ?? '') ? 500 : 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok\n');
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    servers.push(srv);
  }
  try {
    const bindings = Array.from({ length: count }, (_, i) => {
      const { port } = servers[i % serverCount].address() as AddressInfo;
      return bindingOf(`service:default/web-${i}`, { http: { url: `http://127.0.0.1:${port}/p-${i}`, expectStatus: 200, timeoutSeconds: 5, intervalSeconds: 60, failureThreshold: 1, successThreshold: 1 } });
    });
    const once = new HttpReconciler({});
    await once.reconcileOnce(bindings); // warm-up
    const onceMs: number[] = [];
    let onceFindings = 0;
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      onceFindings = (await once.reconcileOnce(bindings)).length;
      onceMs.push(performance.now() - t);
    }
    let probes = 0;
    let roundDone: () => void = () => {};
    const round = new Promise<void>((resolve) => (roundDone = resolve));
    const watch = new HttpReconciler({ stepTimer: (_check, step) => { if (step === 'judge' && ++probes === count) roundDone(); } });
    const t = performance.now();
    await watch.start(bindings);
    await round;
    const firstRoundMs = performance.now() - t;
    const watchFindings = watch.findings().length;
    await watch.stop();
    log(`HTTP: reconcileOnce of ${count} ${formatMs(summarize(onceMs).p50)}, first watch round ${formatMs(firstRoundMs)}`);
    return { bindings: count, servers: serverCount, concurrency: DEFAULT_HTTP_CONCURRENCY, onceMs, onceFindings, firstRoundMs, watchFindings };
  } finally {
    for (const srv of servers) {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  }
}

// ---------------------------------------------------------------- section

const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

/** The `reconcile` section of `npm run bench`: `objects` Deployments (the figure is 10,000). */
export async function benchReconcileSection(options: { objects: number }): Promise<{ data: unknown; markdown: string }> {
  const http = await benchHttp();
  const kube = await benchKubernetes(options.objects);
  const lines = ['### Reconcilers (issue 10)', ''];
  if (typeof kube === 'string') {
    lines.push(`Kubernetes reconciler ${kube}`, '');
  } else {
    const heapDelta = kube.heapAfter - kube.heapBefore;
    const rssDelta = kube.rssAfter - kube.rssBefore;
    lines.push(
      markdownHeader(['Deployments', 'create (32 in flight)', 'first list and compare', 'findings', 'PATCH sent → finding p50 / p99 (n)', 'from the response p50 / p99', 're-judge per event p50 / p99', 'heap Δ / RSS Δ after GC', 'bindings heap']),
      markdownRow([
        kube.objects.toLocaleString('en'),
        formatMs(kube.createMs),
        `${formatMs(kube.firstJudgementMs)} (start() resolved ${formatMs(kube.startResolvedMs)})`,
        `${kube.findingsAfterFirst} (${kube.expectedFindings} drifted)`,
        `${formatMs(kube.delay.p50)} / ${formatMs(kube.delay.p99)} (${kube.delay.n})`,
        `${formatMs(kube.delayAfterResponse.p50)} / ${formatMs(kube.delayAfterResponse.p99)}`,
        `${formatMs(kube.judge.p50)} / ${formatMs(kube.judge.p99)}`,
        `${formatBytes(heapDelta)} / ${formatBytes(rssDelta)}`,
        formatBytes(kube.bindingsHeap),
      ]),
      '',
      `- First full list and compare under 2 s: ${verdict(kube.firstJudgementMs < 2000)} (${formatMs(kube.firstJudgementMs)}).`,
      `- Change to finding p99 under 1 s: ${verdict(kube.delay.p99 < 1000)} (${formatMs(kube.delay.p99)}).`,
      `- Memory for ${kube.objects.toLocaleString('en')} objects under 200 MB: ${verdict(Math.max(heapDelta, rssDelta) < 200e6)} (heap ${formatBytes(heapDelta)}, RSS ${formatBytes(rssDelta)}).`,
      '',
    );
  }
  lines.push(
    markdownHeader(['HTTP bindings', 'servers', 'concurrency', 'reconcileOnce p50 (3 runs)', 'findings', 'first watch round', 'findings']),
    markdownRow([http.bindings.toLocaleString('en'), http.servers, http.concurrency, formatMs(summarize(http.onceMs).p50), http.onceFindings, formatMs(http.firstRoundMs), http.watchFindings]),
  );
  return { data: { kubernetes: kube, http }, markdown: lines.join('\n') };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await measureKubernetes(JSON.parse(process.argv[2]) as ChildArgs);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
