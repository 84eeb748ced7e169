/**
 * For tests that need the real Kubernetes API server (tests/infra/kube.ts):
 *
 *   let kube: KubeAccess;
 *   beforeAll(async () => { kube = await requireKube(); });
 *
 * The first call of a run starts the server (about 4 s) through
 * tests/infra/kube-global-setup.ts; later calls, in any test file, get the
 * same one. A test that needs it and cannot have it fails with the reason;
 * it is never skipped. No controller-manager runs: nothing creates Pods or
 * fills in status but the test, through the status subresource.
 */
import { inject } from 'vitest';
import type { KubeAccess } from './kube-cli.ts';
import type { KubeBrokerAnswer } from './kube-global-setup.ts';

export type { KubeAccess } from './kube-cli.ts';
export { kubeRequest, type KubeRequest, type KubeResponse } from './kube.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the run's kube broker (tests/infra/kube-global-setup.ts). */
    kubeBrokerUrl: string;
  }
}

let cached: Promise<KubeAccess> | undefined;

/** The run's API server (started on first use); throws with the reason when there is none. */
export function requireKube(): Promise<KubeAccess> {
  cached ??= ask();
  return cached;
}

async function ask(): Promise<KubeAccess> {
  const url = inject('kubeBrokerUrl');
  if (!url) {
    throw new Error('This test needs the Kubernetes API server, but no kube broker was provided: add "tests/infra/kube-global-setup.ts" to test.globalSetup in the vitest config');
  }
  const res = await fetch(url, { method: 'POST' });
  const answer = (await res.json()) as KubeBrokerAnswer;
  if (!answer.ok) throw new Error(`This test needs the Kubernetes API server, which is not available: ${answer.error}`);
  const { server, kubeconfig, adminToken, viewerToken } = answer;
  return { server, kubeconfig, adminToken, viewerToken };
}
