/**
 * `cmdb discover kubernetes` on a real Git repository and the real test API
 * server: unbound workloads and services become proposed entities (owner and
 * system from well-known labels) that, once committed, validate and reconcile
 * clean, and are not proposed again.
 */
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdb } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { deployment, kubeAdmin } from '../reconcilers/harnesses.ts';

let kube: KubeAccess;
let ns: string;
let repo: TestRepo;

const labels = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop', 'backstage.io/owner': 'team-web' };

beforeAll(async () => {
  kube = await requireKube();
  const admin = await kubeAdmin(kube);
  ns = await admin.namespace('discover');
  await admin.createDeployment(ns, 'bound', 'bound:v1');
  const web = deployment('web', ns, 'web:v3', 3);
  (web.metadata as { labels: Record<string, string> }).labels = { ...labels, app: 'web' };
  await admin.call('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, web);
  await admin.call('POST', `/api/v1/namespaces/${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-http', labels }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
  const db = deployment('db', ns, 'postgres:16', 1);
  await admin.call('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, { ...db, kind: 'StatefulSet', spec: { ...(db.spec as object), serviceName: 'db' } });
  repo = TestRepo.create();
  repo.commit({
    'teams.yaml': `${entity('Group', 'shop-team', { type: 'team', children: [] })}---\n${entity('Group', 'team-web', { type: 'team', children: [] })}---\n${entity('System', 'shop', { owner: 'shop-team' })}`,
    'cluster.yaml': entity('Cluster', 'test', { type: 'kubernetes', owner: 'shop-team', kubernetes: { context: 'admin' } }),
    'bound.yaml': entity('Component', 'bound', {
      type: 'service', lifecycle: 'production', owner: 'shop-team',
      observe: [{ kubernetes: { cluster: 'cluster:test', apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'bound' } }],
    }),
  });
});
afterAll(() => repo?.remove());

const discover = (...args: string[]) => cmdb('discover', 'kubernetes', '--repo', repo.dir, '--kubeconfig', kube.kubeconfig, '--namespace', ns, ...args);

describe('cmdb discover kubernetes', () => {
  it('proposes the unbound objects, grouped by app, with owner and system from labels; committed, they validate and reconcile clean', async () => {
    const r = await discover('--format', 'json');
    expect(r.code).toBe(0);
    const { cluster, context, proposals } = JSON.parse(r.stdout);
    expect({ cluster, context }).toEqual({ cluster: 'cluster:default/test', context: 'admin' });
    expect(proposals.map((p: { file: string; objects: string[] }) => [p.file, p.objects])).toEqual([
      [`discovered/${ns}/db.yaml`, [`StatefulSet ${ns}/db`]],
      [`discovered/${ns}/web.yaml`, [`Deployment ${ns}/web`, `Service ${ns}/web-http`]],
    ]);
    const web = proposals[1].entity;
    expect(web.spec).toMatchObject({ owner: 'team-web', system: 'shop', runsOn: ['cluster:default/test'] });
    expect(web.spec.observe[0].kubernetes.expect).toEqual({ spec: { replicas: 3, template: { spec: { containers: [{ name: 'server', image: 'web:v3' }] } } } });
    expect(web.spec.observe[1].kubernetes.expect).toEqual({ spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    expect(proposals[0]).toMatchObject({ entity: { spec: { owner: 'unknown-owner' } }, notes: [expect.stringContaining('set spec.owner')] });

    // The YAML form is what gets committed.
    const yaml = await discover();
    expect(yaml.code).toBe(0);
    const docs = parseAllDocuments(yaml.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.name)).toEqual(['db', 'web']);
    repo.commit({ [`discovered/${ns}/web.yaml`]: yaml.stdout.split('\n---\n')[1] });
    expect((await cmdb('validate', '--repo', repo.dir)).code).toBe(0);
    const reconciled = await cmdb('reconcile', '--repo', repo.dir, '--kubeconfig', kube.kubeconfig, '--format', 'json');
    expect(JSON.parse(reconciled.stdout)).toMatchObject({ checked: 3, findings: [] });
    expect(reconciled.code).toBe(0);
    const again = JSON.parse((await discover('--format', 'json')).stdout);
    expect(again.proposals.map((p: { file: string }) => p.file)).toEqual([`discovered/${ns}/db.yaml`]);
  });

  it('a context no Cluster entity names: exit 2, one line', async () => {
    const r = await discover('--context', 'viewer');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('cmdb: --context: no Cluster entity names the context "viewer" (spec.kubernetes.context); add one to the catalog first');
  });
});
