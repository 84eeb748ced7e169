import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyApiError, describeApiFailure, isObjectNotFound, type ApiRequest } from '../../reconcilers/kubernetes/apiFailure.ts';
import { scaledByHpa } from '../../reconcilers/kubernetes/hpa.ts';
import { judgeKubernetes } from '../../reconcilers/kubernetes/judge.ts';
import type { JsonObject, KubernetesBinding } from '../../reconcilers/types.ts';
import { refusedUrl } from './endpoints.ts';
import { bindingOf } from './harnesses.ts';

const binding = bindingOf('component:default/cartservice', {
  kubernetes: {
    cluster: 'cluster:prod-eu',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'cartservice',
    expect: { spec: { replicas: 2, template: { spec: { containers: [{ name: 'server', image: 'cartservice:v1', resources: { limits: { memory: '1Gi' } } }] } } } },
  },
}) as KubernetesBinding;

function live(image: string, replicas = 2, status: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cartservice', namespace: 'shop', generation: 1 },
    spec: { replicas, template: { spec: { containers: [{ name: 'server', image, resources: { limits: { memory: '1024Mi' } } }] } } },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, ...status },
  };
}

const target = { cluster: 'cluster:default/prod-eu', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cartservice' };
const context = { replicasManagedByHpa: false, now: 0 };

describe('judgeKubernetes', () => {
  it('a matching, healthy object has no finding', () => {
    expect(judgeKubernetes(binding, { outcome: 'found', object: live('cartservice:v1') }, context).findings).toEqual([]);
  });

  it('one drifted finding per differing field', () => {
    const { findings } = judgeKubernetes(binding, { outcome: 'found', object: live('cartservice:v2', 3) }, context);
    expect(findings).toEqual([
      { ref: 'component:default/cartservice', check: 'kubernetes', target, finding: 'drifted', field: 'spec.replicas', expected: 2, actual: 3, message: 'Deployment shop/cartservice in cluster:default/prod-eu: spec.replicas is 3, expected 2' },
      expect.objectContaining({ finding: 'drifted', field: 'spec.template.spec.containers[name=server].image', expected: 'cartservice:v1', actual: 'cartservice:v2' }),
    ]);
  });

  it('spec.replicas is not compared while an HPA scales the object', () => {
    expect(judgeKubernetes(binding, { outcome: 'found', object: live('cartservice:v1', 5) }, { ...context, replicasManagedByHpa: true }).findings).toEqual([]);
  });

  it('unhealthy beside drift: a Deployment past its progress deadline', () => {
    const stuck = live('cartservice:v1', 2, { updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' }] });
    const { findings } = judgeKubernetes(binding, { outcome: 'found', object: stuck }, context);
    expect(findings.map((f) => f.finding)).toEqual(['unhealthy']);
    expect(findings[0].message).toContain('ProgressDeadlineExceeded');
  });

  it('a rollout in progress is no finding', () => {
    expect(judgeKubernetes(binding, { outcome: 'found', object: live('cartservice:v1', 2, { updatedReplicas: 1 }) }, context).findings).toEqual([]);
  });

  it('missing only from a successful answer; a failed request is unknown', () => {
    expect(judgeKubernetes(binding, { outcome: 'not-found' }, context).findings).toEqual([
      { ref: 'component:default/cartservice', check: 'kubernetes', target, finding: 'missing', message: 'Deployment shop/cartservice in cluster:default/prod-eu does not exist' },
    ]);
    const failure = classifyApiError(Object.assign(new Error('x'), { code: 403, body: '{"message":"forbidden"}' }), { verb: 'get', resource: 'deployments.apps', namespace: 'shop' });
    expect(judgeKubernetes(binding, { outcome: 'failed', failure }, context).findings.map((f) => f.finding)).toEqual(['unknown']);
  });
});

describe('scaledByHpa', () => {
  const hpa = (name: string, namespace = 'shop', apiVersion = 'apps/v1', kind = 'Deployment'): JsonObject => ({
    metadata: { name: 'h', namespace },
    spec: { scaleTargetRef: { apiVersion, kind, name } },
  });

  it('matches group, kind, name and namespace; not the version', () => {
    expect(scaledByHpa(target, [hpa('cartservice')])).toBe(true);
    expect(scaledByHpa(target, [hpa('cartservice', 'shop', 'apps/v1beta2')])).toBe(true);
    expect(scaledByHpa(target, [hpa('other'), hpa('cartservice', 'prod'), hpa('cartservice', 'shop', 'apps/v1', 'StatefulSet')])).toBe(false);
  });
});

/**
 * The errors of @kubernetes/client-node 2 as they really come, from a loopback
 * server answering what kube-apiserver answers (Status bodies, a plain 404 for
 * an unserved group) and from a port where nothing listens.
 */
describe('API errors from the real client', () => {
  let server: Server;
  let url: string;
  const status = (code: number, reason: string, message: string, details: JsonObject = {}) =>
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, details, code });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      if (path.endsWith('/deployments/forbidden')) {
        res.writeHead(403, { 'content-type': 'application/json' }).end(
          status(403, 'Forbidden', 'deployments.apps "forbidden" is forbidden: User "cmdb" cannot get resource "deployments" in API group "apps" in the namespace "shop"', { name: 'forbidden', group: 'apps', kind: 'deployments' }),
        );
      } else if (path.endsWith('/deployments/gone')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(status(404, 'NotFound', 'deployments.apps "gone" not found', { name: 'gone', group: 'apps', kind: 'deployments' }));
      } else if (path.endsWith('/deployments/unauthorized')) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(status(401, 'Unauthorized', 'Unauthorized'));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function config(server: string): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'test' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return kc;
  }

  const get: ApiRequest = { verb: 'get', resource: 'deployments.apps', namespace: 'shop' };
  const errorOf = async (call: () => Promise<unknown>): Promise<unknown> => call().then(() => undefined, (e: unknown) => e);

  it('403: unknown, naming the verb, resource and namespace the credentials lack', async () => {
    const error = await errorOf(() => config(url).makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'forbidden', namespace: 'shop' }));
    const failure = classifyApiError(error, get);
    expect(failure).toMatchObject({ reason: 'forbidden', status: 403 });
    const message = describeApiFailure(failure, 'cluster:default/prod-eu');
    expect(message).toContain('may not get deployments.apps in namespace shop');
    expect(message).toContain('User "cmdb" cannot get resource "deployments"');
    expect(isObjectNotFound(error, 'forbidden')).toBe(false);
  });

  it('404 naming the object: the object does not exist (missing)', async () => {
    const error = await errorOf(() => config(url).makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'gone', namespace: 'shop' }));
    expect(isObjectNotFound(error, 'gone')).toBe(true);
  });

  it('404 without a Status: the resource is not served (unknown, never missing)', async () => {
    const error = await errorOf(() =>
      config(url).makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'shop', plural: 'widgets', name: 'w' }),
    );
    expect(isObjectNotFound(error, 'w')).toBe(false);
    const failure = classifyApiError(error, { verb: 'get', resource: 'widgets.example.com', namespace: 'shop' });
    expect(failure.reason).toBe('no-such-resource');
    expect(describeApiFailure(failure, 'cluster:default/prod-eu')).toContain('does not serve widgets.example.com');
  });

  it('401: unauthorized', async () => {
    const error = await errorOf(() => config(url).makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'unauthorized', namespace: 'shop' }));
    expect(classifyApiError(error, get).reason).toBe('unauthorized');
  });

  it('nothing listening: unreachable', async () => {
    const refused = new URL(await refusedUrl()).origin;
    const error = await errorOf(() => config(refused).makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'x', namespace: 'shop' }));
    const failure = classifyApiError(error, get);
    expect(failure.reason).toBe('unreachable');
    const message = describeApiFailure(failure, 'cluster:default/prod-eu');
    expect(message).toMatch(/^unreachable: cannot reach the API server of cluster:default\/prod-eu to get deployments.apps in namespace shop: /);
    expect(message).toContain('ECONNREFUSED');
  });
});
