/**
 * Issue 11 end to end: `cmdb serve --reconcile` following a branch of a real
 * Git repository, a real Kubernetes API server and a real HTTP endpoint. A
 * commit changes the database component; the database's Deployment is then
 * scaled to zero (drift) and the API that depends on it starts failing its
 * probe (unhealthy): one incident at the database, the API correlated, the
 * commit that changed the database as its probable cause, resolved once both
 * recover.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CmdbEvent } from '../../core/events.ts';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { kubeAdmin, uniqueName } from '../reconcilers/harnesses.ts';
import { Endpoint, waitFor } from './support.ts';

let kube: KubeAccess;
let admin: Awaited<ReturnType<typeof kubeAdmin>>;
let ns: string;
let repo: TestRepo;
let dir: string;
let endpoint: Endpoint;
let runtime: Runtime | undefined;

beforeAll(async () => {
  kube = await requireKube();
  admin = await kubeAdmin(kube);
  ns = await admin.namespace('incidents');
  repo = TestRepo.create();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-incidents-e2e-'));
  endpoint = await new Endpoint().listen();
  endpoint.status = 200;
});
afterAll(async () => {
  await runtime?.shutdown();
  await endpoint?.close();
  repo?.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

const SETTINGS = {
  incidents: { for: '1s', resolveAfter: '2s', correlation: { window: '2m', depth: 3 } },
};

it('a dependency scaled to zero and its failing dependent make one incident at the dependency, caused by the commit that changed it, resolved when both recover', async () => {
  const db = uniqueName('db');
  await admin.createDeployment(ns, db, 'postgres:16', 1);
  const dbEntity = (description: string) =>
    entity('Component', 'db', {
      type: 'database', lifecycle: 'production', owner: 'team', criticality: 'high',
      observe: [{ kubernetes: { cluster: 'cluster:test', apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: db, expect: { spec: { replicas: 1 } } } }],
    }, { description });
  repo.commit({
    'cmdb.yaml': stringify(SETTINGS),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'cluster.yaml': entity('Cluster', 'test', { type: 'kubernetes', owner: 'team', kubernetes: { context: 'admin' } }),
    'db.yaml': dbEntity('the database'),
    'api.yaml': entity('Component', 'api', {
      type: 'service', lifecycle: 'production', owner: 'team', criticality: 'critical', dependsOn: ['component:db'],
      observe: [{ http: { url: endpoint.url, intervalSeconds: 0.1, timeoutSeconds: 1, failureThreshold: 1, successThreshold: 1 } }],
    }),
  }, 'the catalog');
  runtime = await startRuntime({
    flags: { repo: repo.dir, ref: 'main', port: 0, poll: 0.2, stateDir: dir, reconcile: true, kubeconfig: kube.kubeconfig },
    env: {},
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  const changed: Array<CmdbEvent<'incidentChanged'>['data']> = [];
  runtime.events.subscribe('incidentChanged', (e) => void changed.push(e.data));
  const incidents = runtime.incidents!.store;

  const cause = repo.commit({ 'db.yaml': dbEntity('the database, now with a connection pool') }, 'db: connection pool');
  await waitFor('the follower on the change', () => runtime!.follower.snapshot?.commit === cause);

  await admin.patchDeployment(ns, db, { spec: { replicas: 0 } });
  endpoint.status = 503;
  await waitFor('one incident with both signals', () => incidents.incidents({ state: 'unresolved' }).some((i) => i.signals.length === 2), 30_000);

  const open = incidents.incidents({ state: 'unresolved' });
  expect(open).toHaveLength(1);
  expect(open[0]).toMatchObject({ state: 'open', root: 'component:default/db', correlated: ['component:default/api'], severity: 'critical' });
  expect(open[0].impacted).toEqual(expect.arrayContaining([expect.objectContaining({ ref: 'component:default/api', distance: 1, criticality: 'critical' })]));
  expect(open[0].probableCauses[0].change.commits).toContain(cause);
  expect(open[0].probableCauses[0].reason).toMatch(/root/);

  await admin.patchDeployment(ns, db, { spec: { replicas: 1 } });
  endpoint.status = 200;
  await waitFor('the incident resolved', () => incidents.incident(open[0].id)?.state === 'resolved', 30_000);
  expect(incidents.incidents({ state: 'unresolved' })).toEqual([]);
  expect(changed.filter((c) => c.id === open[0].id).map((c) => c.change)).toEqual(expect.arrayContaining(['opened', 'resolved']));
});
