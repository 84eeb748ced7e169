import { bindingsFromObserve } from '../../reconcilers/bindings.ts';
import { HttpReconciler } from '../../reconcilers/http/HttpReconciler.ts';
import type { Binding } from '../../reconcilers/types.ts';
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
