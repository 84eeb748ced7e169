/**
 * vitest globalSetup: a Kubernetes API server for the test files that ask for
 * one, started on first demand and shared by the whole run.
 *
 * Nothing is started up front: this only opens a small loopback HTTP endpoint
 * whose URL it provides as `kubeBrokerUrl`. The first requireKube()
 * (tests/infra/kube-test-env.ts) asks it for a server; it then
 * - uses a server started by `npm run k8s:start` (tests/infra/.work/kube/state.json) that answers, or
 * - starts one here on free loopback ports, stopped after the run (it also
 *   stops by itself if this process dies: it watches a pipe from us).
 * The answer (or the reason there is none) is kept for the rest of the run.
 * The binaries are never built here: a missing build fails those tests with
 * the command that builds it (`npm run k8s:install`, run by .ci/run).
 */
import { createServer, type Server } from 'node:http';
import type { TestProject } from 'vitest/node';
import { runningKube, type KubeAccess } from './kube-cli.ts';
import { startKube, type KubeServer } from './kube.ts';
import type {} from './kube-test-env.ts'; // the ProvidedContext key

/** The broker's answer: access to a server, or why there is none. */
export type KubeBrokerAnswer = ({ ok: true } & KubeAccess) | { ok: false; error: string };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const verbose = process.env.CMDB_KUBE_VERBOSE === '1';
  const log = (line: string): void => {
    if (verbose || line.startsWith('[kube]')) console.error(line);
  };
  let started: KubeServer | undefined;
  let answer: Promise<KubeBrokerAnswer> | undefined;

  const provide = async (): Promise<KubeBrokerAnswer> => {
    try {
      const running = await runningKube();
      if (running) {
        log(`[kube] using the server started by npm run k8s:start at ${running.server}`);
        return { ok: true, ...running };
      }
      started = await startKube({ log });
      const { server, kubeconfig, adminToken, viewerToken } = started;
      return { ok: true, server, kubeconfig, adminToken, viewerToken };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`[kube] not available; tests that need it fail:\n${reason}`);
      return { ok: false, error: process.env.CI === 'true' ? `(CI=true) ${reason}` : reason };
    }
  };

  const broker: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/kube') {
      res.writeHead(404).end();
      return;
    }
    answer ??= provide();
    void answer.then((body) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    broker.once('error', reject);
    broker.listen(0, '127.0.0.1', () => resolve());
  });
  const address = broker.address();
  if (address === null || typeof address === 'string') throw new Error('the kube broker has no TCP address');
  project.provide('kubeBrokerUrl', `http://127.0.0.1:${address.port}/kube`);

  return async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (answer) await answer;
    await started?.stop();
  };
}
