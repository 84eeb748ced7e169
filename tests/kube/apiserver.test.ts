import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { KUBE_VERSION } from '../infra/kube.ts';
import { kubeRequest, requireKube, type KubeAccess } from '../infra/kube-test-env.ts';

// Names of this run only: the server may be shared (npm run k8s:start).
const ns = `cmdb-apiserver-test-${randomBytes(4).toString('hex')}`;
const deployments = `/apis/apps/v1/namespaces/${ns}/deployments`;

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cartservice', labels: { app: 'cartservice' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'cartservice' } },
    template: {
      metadata: { labels: { app: 'cartservice' } },
      spec: { containers: [{ name: 'server', image: 'example.test/cartservice:1.4.2' }] },
    },
  },
};

describe('the test Kubernetes API server (tests/infra/kube.ts)', () => {
  let kube: KubeAccess;
  const admin = (path: string, init: { method?: string; body?: unknown; contentType?: string } = {}) =>
    kubeRequest({ server: kube.server, token: kube.adminToken, path, ...init });

  beforeAll(async () => {
    kube = await requireKube();
    expect(kube.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const created = await admin('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    if (!kube) return;
    await admin(`${deployments}/cartservice`, { method: 'DELETE' });
    // Without a controller-manager the namespace stays Terminating; its name is unique to this run.
    await admin(`/api/v1/namespaces/${ns}`, { method: 'DELETE' });
  });

  it(`is kube-apiserver ${KUBE_VERSION}, and its kubeconfig names it with the admin token as the current context`, async () => {
    const version = await admin('/version');
    expect(version.status).toBe(200);
    expect(version.json).toMatchObject({ gitVersion: KUBE_VERSION });

    const config = parseYaml(await readFile(kube.kubeconfig, 'utf8')) as {
      'current-context': string;
      contexts: { name: string; context: { cluster: string; user: string } }[];
      clusters: { name: string; cluster: { server: string } }[];
      users: { name: string; user: { token: string } }[];
    };
    const current = config.contexts.find((c) => c.name === config['current-context']);
    expect(config.clusters.find((c) => c.name === current?.context.cluster)?.cluster.server).toBe(kube.server);
    expect(config.users.find((u) => u.name === current?.context.user)?.user.token).toBe(kube.adminToken);
  });

  it('creates a Deployment and fills in the server-side defaults; no controller touches its status', async () => {
    const created = await admin(deployments, { method: 'POST', body: deployment });
    expect(created.status).toBe(201);
    const body = created.json as { metadata: { generation: number; uid: string }; spec: Record<string, any>; status?: Record<string, unknown> };
    expect(body.metadata.generation).toBe(1);
    expect(body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(body.spec.revisionHistoryLimit).toBe(10);
    expect(body.spec.progressDeadlineSeconds).toBe(600);
    expect(body.spec.template.spec.restartPolicy).toBe('Always');
    expect(body.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');

    const read = await admin(`${deployments}/cartservice`);
    expect(read.status).toBe(200);
    expect((read.json as { status?: Record<string, unknown> }).status ?? {}).toEqual({});
  });

  it('sets status only through the status subresource', async () => {
    const status = {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      conditions: [{
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
        lastUpdateTime: '2026-01-01T00:00:00Z',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      }],
    };
    // A status written to the main resource is dropped.
    const ignored = await admin(`${deployments}/cartservice`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status } });
    expect(ignored.status).toBe(200);
    expect((ignored.json as { status?: Record<string, unknown> }).status ?? {}).toEqual({});

    // Through /status it is kept (and a spec change there is dropped).
    const patched = await admin(`${deployments}/cartservice/status`, {
      method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { replicas: 5 }, status },
    });
    expect(patched.status).toBe(200);
    const read = await admin(`${deployments}/cartservice`);
    const body = read.json as { spec: { replicas: number }; status: typeof status };
    expect(body.status).toEqual(status);
    expect(body.spec.replicas).toBe(2);
  });

  it('authorizes with RBAC: viewer (no bindings) gets 403, a wrong token 401, admin 200', async () => {
    const asViewer = await kubeRequest({ server: kube.server, token: kube.viewerToken, path: deployments });
    expect(asViewer.status).toBe(403);
    expect(asViewer.json).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
    expect((asViewer.json as { message: string }).message).toContain('User "viewer" cannot list resource "deployments"');

    const wrongToken = await kubeRequest({ server: kube.server, token: randomBytes(24).toString('hex'), path: deployments });
    expect(wrongToken.status).toBe(401);

    const asAdmin = await admin(deployments);
    expect(asAdmin.status).toBe(200);
    expect((asAdmin.json as { items: { metadata: { name: string } }[] }).items.map((d) => d.metadata.name)).toEqual(['cartservice']);
  });
});
