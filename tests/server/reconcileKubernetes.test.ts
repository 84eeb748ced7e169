/**
 * `cmdb serve --reconcile` with a Kubernetes binding, on the real test API
 * server: the served commit's Cluster entity names the kubeconfig context, the
 * Kubernetes reconciler watches the Deployment, and a drift reported by the
 * watch reaches the finding store and the bus; fixing the object resolves it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CmdbEvent } from '../../core/events.ts';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { kubeAdmin, uniqueName } from '../reconcilers/harnesses.ts';
import { waitFor } from './support.ts';

let kube: KubeAccess;
let admin: Awaited<ReturnType<typeof kubeAdmin>>;
let ns: string;
let repo: TestRepo;
let dir: string;
let runtime: Runtime | undefined;

beforeAll(async () => {
  kube = await requireKube();
  admin = await kubeAdmin(kube);
  ns = await admin.namespace('serve');
  repo = TestRepo.create();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-serve-k8s-'));
});
afterAll(async () => {
  await runtime?.shutdown();
  repo?.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('reports a scaled Deployment as drifted from the watch, and resolves it when scaled back', async () => {
  const name = uniqueName('served');
  await admin.createDeployment(ns, name, 'app:v1', 3);
  const ref = repo.commit({
    'teams.yaml': entity('Group', 'shop-team', { type: 'team' }),
    'cluster.yaml': entity('Cluster', 'test', { type: 'kubernetes', owner: 'shop-team', kubernetes: { context: 'admin' } }),
    'svc.yaml': entity('Component', name, {
      type: 'service', lifecycle: 'production', owner: 'shop-team',
      observe: [{ kubernetes: { cluster: 'cluster:test', apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name, expect: { spec: { replicas: 2 } } } }],
    }),
  });
  runtime = await startRuntime({
    flags: { repo: repo.dir, ref, port: 0, poll: 0, stateDir: dir, reconcile: true, kubeconfig: kube.kubeconfig },
    env: {},
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  const changes: Array<CmdbEvent<'findingChanged'>['data']> = [];
  runtime.events.subscribe('findingChanged', (e) => void changes.push(e.data));
  const current = () => runtime!.findings!.current().filter((f) => f.finding.check === 'kubernetes');

  await waitFor('the drift reported', () => current().length === 1);
  expect(current()[0].finding).toMatchObject({ ref: `component:default/${name}`, finding: 'drifted', field: 'spec.replicas', expected: 2, actual: 3 });

  await admin.patchDeployment(ns, name, { spec: { replicas: 2 } });
  await waitFor('the drift resolved', () => current().length === 0);
  expect(changes.map((c) => c.change)).toEqual(expect.arrayContaining(['opened', 'resolved']));
});
