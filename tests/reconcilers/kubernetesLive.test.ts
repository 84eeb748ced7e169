/**
 * The KubernetesReconciler against a real kube-apiserver: the done-when cases
 * of issue 10 (drift, missing, what must not drift, health, HPA, 403, and an
 * API server stopped and restarted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../reconcilers/kubernetes/access.ts';
import { configForContext } from '../../reconcilers/kubernetes/client.ts';
import { KubernetesReconciler } from '../../reconcilers/kubernetes/KubernetesReconciler.ts';
import type { Binding, FindingChange, KubernetesBinding } from '../../reconcilers/types.ts';
import { startKube, type KubeServer } from '../infra/kube.ts';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { until } from './endpoints.ts';
import { bindingOf, kubeAdmin, uniqueName } from './harnesses.ts';

let kube: KubeAccess;
let admin: Awaited<ReturnType<typeof kubeAdmin>>;
let ns: string;

beforeAll(async () => {
  kube = await requireKube();
  admin = await kubeAdmin(kube);
  ns = await admin.namespace('live');
});

function reconciler(context: 'admin' | 'viewer' = 'admin', kubeconfig = kube.kubeconfig, onChange?: (c: FindingChange) => void) {
  const config = configForContext(loadKubeConfig(kubeconfig), context)!;
  return new KubernetesReconciler({ access: () => ({ config }), backoff: { initialMs: 50, maxMs: 400 }, requestTimeoutMs: 2_000, onChange });
}

const containers = (image: string, extra: Record<string, unknown> = {}) => ({ spec: { template: { spec: { containers: [{ name: 'server', image, ...extra }] } } } });

function bind(name: string, expect: Record<string, unknown>, namespace = ns): KubernetesBinding {
  return bindingOf(`component:default/${name}`, { kubernetes: { cluster: 'cluster:test', apiVersion: 'apps/v1', kind: 'Deployment', namespace, name, expect } }) as KubernetesBinding;
}

async function fresh(prefix: string, image = 'app:v1', replicas = 2): Promise<string> {
  const name = uniqueName(prefix);
  await admin.createDeployment(ns, name, image, replicas);
  return name;
}

const once = (bindings: Binding[], context: 'admin' | 'viewer' = 'admin') => reconciler(context).reconcileOnce(bindings);

describe('KubernetesReconciler on a real API server', () => {
  it('scaled: replicas differ → drifted spec.replicas', async () => {
    const name = await fresh('scale');
    const b = bind(name, { spec: { replicas: 2 } });
    expect(await once([b])).toEqual([]);
    await admin.patchDeployment(ns, name, { spec: { replicas: 5 } });
    expect(await once([b])).toEqual([expect.objectContaining({ finding: 'drifted', field: 'spec.replicas', expected: 2, actual: 5, ref: b.ref, target: b.target })]);
  });

  it('image changed → drifted naming the container', async () => {
    const name = await fresh('image');
    await admin.patchDeployment(ns, name, containers('app:v2'));
    expect(await once([bind(name, containers('app:v1'))])).toEqual([
      expect.objectContaining({ finding: 'drifted', field: 'spec.template.spec.containers[name=server].image', expected: 'app:v1', actual: 'app:v2' }),
    ]);
  });

  it('deleted → missing (from a successful list)', async () => {
    const name = await fresh('gone');
    await admin.deleteDeployment(ns, name);
    expect((await once([bind(name, containers('app:v1'))])).map((f) => f.finding)).toEqual(['missing']);
  });

  it('no finding for an injected sidecar, server-defaulted fields, and 0.5 cpu against 500m', async () => {
    const name = await fresh('quiet');
    const live = await admin.call('GET', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
    const server = (live.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers[0];
    await admin.patchDeployment(ns, name, { spec: { template: { spec: { containers: [{ name: 'istio-proxy', image: 'proxy:1' }, server] } } } });
    const expectations = {
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } }, // defaulted by the server
        template: { spec: { restartPolicy: 'Always', containers: [{ name: 'server', image: 'app:v1', imagePullPolicy: 'IfNotPresent', resources: { requests: { cpu: 0.5, memory: '64Mi' } } }] } },
      },
    };
    expect(await once([bind(name, expectations)])).toEqual([]);
    // The same expectation does drift when a value really differs (the check is live).
    expect((await once([bind(name, { spec: { template: { spec: { containers: [{ name: 'server', resources: { requests: { cpu: 0.25 } } }] } } } })])).map((f) => f.finding)).toEqual(['drifted']);
  });

  it('a status with ProgressDeadlineExceeded → unhealthy', async () => {
    const name = await fresh('stuck');
    const live = await admin.call('GET', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
    const generation = (live.metadata as { generation: number }).generation;
    await admin.patchDeployment(ns, name, {
      status: {
        observedGeneration: generation, replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}-1" has timed out progressing.`, lastUpdateTime: new Date().toISOString().replace(/\.\d+/, ''), lastTransitionTime: new Date().toISOString().replace(/\.\d+/, '') }],
      },
    }, '/status');
    const findings = await once([bind(name, containers('app:v1'))]);
    expect(findings.map((f) => f.finding)).toEqual(['unhealthy']);
    expect(findings[0].message).toContain('ProgressDeadlineExceeded');
  });

  it('an HPA targeting the Deployment: replicas are not compared', async () => {
    const name = await fresh('hpa');
    await admin.patchDeployment(ns, name, { spec: { replicas: 7 } });
    const b = bind(name, { spec: { replicas: 2 } });
    expect((await once([b])).map((f) => f.finding)).toEqual(['drifted']);
    await admin.call('POST', `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`, {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: `${name}-hpa` },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 2, maxReplicas: 10 },
    });
    expect(await once([b])).toEqual([]);
  });

  it('403 (the viewer context) → unknown naming the verb, resource and namespace, never missing', async () => {
    const name = await fresh('forbidden');
    const findings = await once([bind(name, containers('app:v1'))], 'viewer');
    expect(findings.map((f) => f.finding)).toEqual(['unknown']);
    expect(findings[0].message).toContain(`may not list deployments.apps in namespace ${ns}`);
    expect(findings[0].message).toContain('User "viewer" cannot list resource "deployments"');
  });

  it('watch: an image change opens drifted, the fix resolves it; a deletion is missing', async () => {
    const name = await fresh('watch');
    const changes: FindingChange[] = [];
    const r = reconciler('admin', kube.kubeconfig, (c) => changes.push(c));
    try {
      await r.start([bind(name, containers('app:v1'))]);
      await admin.patchDeployment(ns, name, containers('app:v2'));
      await until(() => r.findings().some((f) => f.finding === 'drifted'), 'the drift');
      await admin.patchDeployment(ns, name, containers('app:v1'));
      await until(() => r.findings().length === 0, 'the fix');
      await admin.deleteDeployment(ns, name);
      await until(() => r.findings().some((f) => f.finding === 'missing'), 'missing');
      expect(changes.map((c) => [c.type, c.type === 'resolved' ? c.previous.finding : c.finding.finding])).toEqual([['opened', 'drifted'], ['resolved', 'drifted'], ['opened', 'missing']]);
    } finally {
      await r.stop();
    }
  });

  it('watch: an event re-judges the bindings of the object it names; a deadline passes at the periodic re-judge or at an event of its own', async () => {
    const deployment = await fresh('event');
    const sts = uniqueName('sts');
    // No controller runs beside this API server: the StatefulSet stays unobserved, so progressing.
    await admin.call('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: sts, namespace: ns },
      spec: { serviceName: sts, selector: { matchLabels: { app: sts } }, template: { metadata: { labels: { app: sts } }, spec: { containers: [{ name: 'db', image: 'db:v1' }] } } },
    });
    const stsBinding = bindingOf(`component:default/${sts}`, { kubernetes: { cluster: 'cluster:test', apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: ns, name: sts } });
    const config = configForContext(loadKubeConfig(kube.kubeconfig), 'admin')!;
    const r = new KubernetesReconciler({ access: () => ({ config }), backoff: { initialMs: 50, maxMs: 400 }, requestTimeoutMs: 15_000, progressDeadlineMs: 300, rejudgeMs: 3_600_000 });
    const stuck = () => r.findings().some((f) => f.ref === stsBinding.ref && f.finding === 'unhealthy');
    try {
      await r.start([bind(deployment, containers('app:v1')), stsBinding]);
      await new Promise((resolve) => setTimeout(resolve, 800)); // past the StatefulSet's deadline, with no event about it
      await admin.patchDeployment(ns, deployment, containers('app:v2'));
      await until(() => r.findings().some((f) => f.finding === 'drifted'), 'the drift');
      expect(stuck(), "the Deployment's event does not judge the StatefulSet").toBe(false);
      await admin.call('PATCH', `/apis/apps/v1/namespaces/${ns}/statefulsets/${sts}`, { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
      await until(stuck, "the StatefulSet's deadline, at its own event");
    } finally {
      await r.stop();
    }
  });

  it('watch: an HPA created for a Deployment re-judges it (its replicas are no longer compared)', async () => {
    const name = await fresh('hpa-watch', 'app:v1', 2);
    await admin.patchDeployment(ns, name, { spec: { replicas: 5 } });
    const r = reconciler();
    try {
      await r.start([bind(name, { spec: { replicas: 2 } })]);
      await until(() => r.findings().some((f) => f.finding === 'drifted' && f.field === 'spec.replicas'), 'the replicas drift');
      await admin.call('POST', `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`, {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: `${name}-hpa`, namespace: ns },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 1, maxReplicas: 10 },
      });
      await until(() => r.findings().length === 0, 'the drift resolved once the HPA manages the replicas');
    } finally {
      await r.stop();
    }
  });

  it('watch: update picks up a cluster whose access changed (the viewer context, then admin)', async () => {
    const name = await fresh('access');
    const kubeconfig = loadKubeConfig(kube.kubeconfig);
    let context = 'viewer';
    const r = new KubernetesReconciler({ access: () => ({ config: configForContext(kubeconfig, context)! }), backoff: { initialMs: 50, maxMs: 400 } });
    const b = bind(name, containers('app:v1'));
    try {
      await r.start([b]);
      await until(() => r.findings().some((f) => f.finding === 'unknown'), 'the 403');
      expect(r.findings()[0].message).toContain('may not list deployments.apps');
      context = 'admin';
      await r.update([b]);
      await until(() => r.findings().length === 0, 'the admin context to see the object');
    } finally {
      await r.stop();
    }
  });
});

/**
 * A private API server (its own etcd), whose kube-apiserver the test kills
 * and starts again with the same command line: the watch sees the cluster
 * unreachable (one `unknown` for the cluster, not one per object), then
 * recovers without ever reporting an object `missing`.
 */
describe('an API server stopped and restarted', () => {
  let server: KubeServer;
  let restarted: ChildProcess | undefined;
  beforeAll(async () => {
    server = await startKube();
  }, 120_000);
  afterAll(async () => {
    if (restarted?.pid) process.kill(restarted.pid, 'SIGTERM');
    await server?.stop();
  });

  it('unknown for the cluster, once, then recovers without missing', async () => {
    const own = await kubeAdmin({ server: server.server, kubeconfig: server.kubeconfig, adminToken: server.adminToken, viewerToken: server.viewerToken });
    const namespace = await own.namespace('restart');
    const names = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
    for (const n of names) await own.createDeployment(namespace, n, 'app:v1');
    const changes: FindingChange[] = [];
    const r = reconciler('admin', server.kubeconfig, (c) => changes.push(c));
    const bindings = names.map((n) => bind(n, containers('app:v1'), namespace));
    try {
      await r.start(bindings);
      // Settled: every binding judged fine (a drift on one shows the watch is live).
      await own.patchDeployment(namespace, names[0], containers('app:v2'));
      await until(() => r.findings().length === 1, 'the drift of a');
      await own.patchDeployment(namespace, names[0], containers('app:v1'));
      await until(() => r.findings().length === 0, 'a fixed');
      changes.length = 0;

      const args = readFileSync(`/proc/${server.apiserverPid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      process.kill(server.apiserverPid, 'SIGKILL');
      await until(() => r.findings().some((f) => f.finding === 'unknown'), 'the cluster to be unknown', 20_000);
      expect(r.findings()).toEqual([expect.objectContaining({ ref: 'cluster:default/test', finding: 'unknown', target: expect.objectContaining({ cluster: 'cluster:default/test' }) })]);
      expect(r.findings()[0].message).toMatch(/^(unreachable|timeout): /);

      restarted = spawn(args[0], args.slice(1), { stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, CMDB_EXIT_ON_STDIN_EOF: '1' } });
      await until(() => r.findings().length === 0, 'the cluster to answer again', 60_000);
      expect(changes.filter((c) => c.type === 'opened').map((c) => (c as { finding: { finding: string } }).finding.finding)).toEqual(['unknown']);
      expect(changes.some((c) => c.type !== 'resolved' && c.finding.finding === 'missing')).toBe(false);
      // Live again: a new drift is seen.
      await own.patchDeployment(namespace, names[1], containers('app:v3'));
      await until(() => r.findings().some((f) => f.finding === 'drifted'), 'a drift after the restart');
    } finally {
      await r.stop();
    }
  }, 120_000);
});
