import { bindingsFromObserve } from '../../reconcilers/bindings.ts';
import { HttpReconciler } from '../../reconcilers/http/HttpReconciler.ts';
import type { Binding } from '../../reconcilers/types.ts';
import { loadKubeConfig } from '../../reconcilers/kubernetes/access.ts';
import { configForContext } from '../../reconcilers/kubernetes/client.ts';
import { KubernetesReconciler, type ClusterAccess } from '../../reconcilers/kubernetes/KubernetesReconciler.ts';
import { kubeRequest, requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import type { ContractTarget, ReconcilerHarness } from './contract.ts';
import { startEndpoint, type Endpoint } from './endpoints.ts';

/** Builds one binding from a `spec.observe` entry, failing the test on a problem. */
export function bindingOf(ref: string, entry: unknown, defaultCluster?: string): Binding {
  const { bindings, problems } = bindingsFromObserve(ref, [entry], { defaultCluster });
  if (problems.length > 0 || bindings.length !== 1) throw new Error(`bad test binding: ${JSON.stringify(problems)}`);
  return bindings[0];
}

/** HttpReconciler against real endpoints on 127.0.0.1: broken = answering 500. */
export function httpHarness(): ReconcilerHarness {
  const endpoints: Endpoint[] = [];
  return {
    name: 'HttpReconciler',
    check: 'http',
    create: (options) => new HttpReconciler(options),
    brokenFinding: 'unhealthy',
    async target(ref: string): Promise<ContractTarget> {
      const endpoint = await startEndpoint(200);
      endpoints.push(endpoint);
      const entry = { http: { url: endpoint.url, expectStatus: 200, timeoutSeconds: 2, intervalSeconds: 0.02, failureThreshold: 1, successThreshold: 1 } };
      return {
        binding: bindingOf(ref, entry),
        breakIt: async () => endpoint.set(500),
        fix: async () => endpoint.set(200),
      };
    },
    foreign: (ref) => bindingOf(ref, { kubernetes: { cluster: 'cluster:prod', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'x' } }),
    async cleanup() {
      for (const e of endpoints.splice(0)) await e.close();
    },
  };
}

/** A unique, valid Kubernetes name (a deleted namespace stays Terminating: never reuse one). */
export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/** A Deployment manifest with one container `server`. */
export function deployment(name: string, namespace: string, image: string, replicas = 2): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'server', image, resources: { requests: { cpu: '500m', memory: '64Mi' } } }] } },
    },
  };
}

/** The test API server's admin access: create a namespace, apply, patch. */
export async function kubeAdmin(kube: KubeAccess) {
  const call = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const res = await kubeRequest({ server: kube.server, token: kube.adminToken, method, path, body, contentType });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.json as Record<string, unknown>;
  };
  return {
    call,
    namespace: async (prefix: string) => {
      const name = uniqueName(prefix);
      await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
    createDeployment: (ns: string, name: string, image: string, replicas = 2) => call('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment(name, ns, image, replicas)),
    patchDeployment: (ns: string, name: string, patch: unknown, subresource = '') =>
      call('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/${name}${subresource}`, patch, 'application/merge-patch+json'),
    deleteDeployment: (ns: string, name: string) => call('DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`),
  };
}

/** KubernetesReconciler against the real test API server: broken = the image patched to another. */
export function kubernetesHarness(): ReconcilerHarness {
  let namespace: string | undefined;
  let admin: Awaited<ReturnType<typeof kubeAdmin>> | undefined;
  let access: ((cluster: string) => ClusterAccess) | undefined;
  const ready = async () => {
    if (!admin || !access) {
      const kube = await requireKube();
      admin = await kubeAdmin(kube);
      const config = loadKubeConfig(kube.kubeconfig);
      access = () => ({ config: configForContext(config, 'admin')! });
    }
    namespace ??= await admin.namespace('contract');
    return { admin, namespace };
  };
  return {
    name: 'KubernetesReconciler',
    check: 'kubernetes',
    create: (options) => new KubernetesReconciler({ ...options, access: (c) => access!(c), backoff: { initialMs: 50, maxMs: 500 } }),
    brokenFinding: 'drifted',
    async target(ref: string): Promise<ContractTarget> {
      const { admin, namespace } = await ready();
      const name = uniqueName(ref.split('/').pop()!);
      await admin.createDeployment(namespace, name, 'app:v1');
      const entry = { kubernetes: { cluster: 'cluster:test', apiVersion: 'apps/v1', kind: 'Deployment', namespace, name, expect: { spec: { template: { spec: { containers: [{ name: 'server', image: 'app:v1' }] } } } } } };
      const image = (tag: string) => ({ spec: { template: { spec: { containers: [{ name: 'server', image: `app:${tag}` }] } } } });
      return {
        binding: bindingOf(ref, entry),
        breakIt: async () => void (await admin.patchDeployment(namespace, name, image('v2'))),
        fix: async () => void (await admin.patchDeployment(namespace, name, image('v1'))),
      };
    },
    foreign: (ref) => bindingOf(ref, { http: { url: 'http://127.0.0.1:9/' } }),
    async cleanup() {
      namespace = undefined;
    },
  };
}
