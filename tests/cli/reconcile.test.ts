/**
 * `cmdb reconcile` on real Git repositories against the real test API server:
 * the JSON report and the exit codes (0 nothing, 1 drifted/missing/unhealthy,
 * 2 only unknown or a failure), and invalid bindings at file:line:column.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdb } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { startEndpoint } from '../reconcilers/endpoints.ts';
import { kubeAdmin, uniqueName } from '../reconcilers/harnesses.ts';

let kube: KubeAccess;
let admin: Awaited<ReturnType<typeof kubeAdmin>>;
let ns: string;
const repos: TestRepo[] = [];

beforeAll(async () => {
  kube = await requireKube();
  admin = await kubeAdmin(kube);
  ns = await admin.namespace('cli');
});
afterAll(() => {
  for (const r of repos) r.remove();
});

const team = entity('Group', 'shop-team', { type: 'team', children: [] });
const cluster = (name: string, context?: string) => entity('Cluster', name, { type: 'kubernetes', owner: 'shop-team', ...(context ? { kubernetes: { context } } : {}) });
const observed = (name: string, image: string, clusterRef = 'cluster:test') =>
  entity('Component', name, {
    type: 'service', lifecycle: 'production', owner: 'shop-team',
    observe: [{ kubernetes: { cluster: clusterRef, apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name, expect: { spec: { replicas: 2, template: { spec: { containers: [{ name: 'server', image }] } } } } } }],
  });

function repoWith(files: Record<string, string>): TestRepo {
  const repo = TestRepo.create();
  repos.push(repo);
  repo.commit({ 'teams.yaml': team, ...files });
  return repo;
}

const reconcile = (repo: TestRepo, ...args: string[]) => cmdb('reconcile', '--repo', repo.dir, '--kubeconfig', kube.kubeconfig, ...args);

describe('cmdb reconcile', () => {
  it('exit 0 and no findings when the live object matches', async () => {
    const name = uniqueName('fine');
    await admin.createDeployment(ns, name, 'app:v1');
    const repo = repoWith({ 'cluster.yaml': cluster('test', 'admin'), 'svc.yaml': observed(name, 'app:v1') });
    const r = await reconcile(repo, '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toEqual({ commit: expect.stringMatching(/^[0-9a-f]{40}$/), checked: 1, findings: [] });
  });

  it('exit 1 with a drifted finding in the documented JSON shape', async () => {
    const name = uniqueName('drift');
    await admin.createDeployment(ns, name, 'app:v2', 3);
    const repo = repoWith({ 'cluster.yaml': cluster('test', 'admin'), 'svc.yaml': observed(name, 'app:v1') });
    const r = await reconcile(repo, '--format', 'json');
    expect(r.code).toBe(1);
    const target = { cluster: 'cluster:default/test', apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name };
    expect(JSON.parse(r.stdout).findings).toEqual([
      { ref: `component:default/${name}`, check: 'kubernetes', finding: 'drifted', target, field: 'spec.replicas', expected: 2, actual: 3, message: expect.any(String) },
      { ref: `component:default/${name}`, check: 'kubernetes', finding: 'drifted', target, field: 'spec.template.spec.containers[name=server].image', expected: 'app:v1', actual: 'app:v2', message: expect.any(String) },
    ]);
    const text = await reconcile(repo);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`drifted\tcomponent:default/${name}\tkubernetes cluster:default/test Deployment ${ns}/${name}\t`);
  });

  it('exit 1 for a missing object', async () => {
    const repo = repoWith({ 'cluster.yaml': cluster('test', 'admin'), 'svc.yaml': observed(uniqueName('never'), 'app:v1') });
    const r = await reconcile(repo, '--format', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { finding: string }) => f.finding)).toEqual(['missing']);
  });

  it('exit 2 when the only findings are unknown: a 403 names verb, resource and namespace', async () => {
    const name = uniqueName('viewer');
    await admin.createDeployment(ns, name, 'app:v2');
    const repo = repoWith({ 'cluster.yaml': cluster('test', 'viewer'), 'svc.yaml': observed(name, 'app:v1') });
    const r = await reconcile(repo, '--format', 'json');
    expect(r.code).toBe(2);
    const [finding] = JSON.parse(r.stdout).findings;
    expect(finding).toMatchObject({ finding: 'unknown', check: 'kubernetes' });
    expect(finding.message).toContain(`may not list deployments.apps in namespace ${ns}`);
  });

  it('a cluster whose context the kubeconfig lacks: unknown, exit 2', async () => {
    const repo = repoWith({ 'cluster.yaml': cluster('test', 'nowhere'), 'svc.yaml': observed(uniqueName('x'), 'app:v1') });
    const r = await reconcile(repo, '--format', 'json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).findings).toEqual([expect.objectContaining({ ref: 'cluster:default/test', finding: 'unknown', message: expect.stringContaining('no context "nowhere"') })]);
  });

  it('invalid bindings are errors at file:line:column, exit 2, nothing reconciled', async () => {
    const aName = uniqueName('a');
    const a = observed(aName, 'app:v1', 'cluster:elsewhere');
    const b = observed(uniqueName('b'), 'app:v1');
    const c = `${entity('Resource', 'redis', { type: 'cache', owner: 'shop-team' })}---\n${observed(uniqueName('c'), 'app:v1', 'resource:redis')}`;
    const repo = repoWith({ 'cluster.yaml': cluster('test'), 'a.yaml': a, 'b.yaml': b, 'c.yaml': c });
    const r = await reconcile(repo);
    expect(r.code).toBe(2);
    /** line:column of the `cluster:` key of the file's observe entry. */
    const where = (text: string, value: string) => {
      const lines = text.split('\n');
      const i = lines.findIndex((l) => l.includes(`cluster: ${value}`));
      return `${i + 1}:${lines[i].indexOf('cluster:') + 1}`;
    };
    expect(r.stdout.trim().split('\n')).toEqual([
      `a.yaml:${where(a, 'cluster:elsewhere')}: component:default/${aName}: spec.observe[0].kubernetes.cluster refers to cluster:default/elsewhere, which is not an entity of the catalog [observe]`,
      expect.stringMatching(new RegExp(`^b\\.yaml:${where(b, 'cluster:test')}: .*spec\\.observe\\[0\\]\\.kubernetes\\.cluster refers to cluster:default/test, which has no spec\\.kubernetes\\.context`)),
      expect.stringMatching(new RegExp(`^c\\.yaml:${where(c, 'resource:redis')}: .*refers to resource:default/redis, a Resource, not a Cluster \\[observe\\]$`)),
    ]);
    expect(r.stderr).toContain('3 invalid binding(s)');
  });

  it('HTTP bindings: one failed probe is enough (exit 1, target {url}); no kubeconfig is read without kubernetes bindings', async () => {
    const endpoint = await startEndpoint(500);
    try {
      const probed = entity('Component', 'web', { type: 'service', lifecycle: 'production', owner: 'shop-team', observe: [{ http: { url: endpoint.url, expectStatus: 200, failureThreshold: 3 } }] });
      const repo = repoWith({ 'web.yaml': probed });
      const r = await cmdb('reconcile', '--repo', repo.dir, '--kubeconfig', '/nonexistent/kubeconfig', '--format', 'json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ checked: 1, findings: [{ ref: 'component:default/web', check: 'http', finding: 'unhealthy', target: { url: endpoint.url } }] });
      endpoint.set(200);
      expect((await cmdb('reconcile', '--repo', repo.dir, '--kubeconfig', '/nonexistent/kubeconfig')).code).toBe(0);
    } finally {
      await endpoint.close();
    }
  });

  it('an unreadable --kubeconfig: exit 2, one line naming the option', async () => {
    const repo = repoWith({ 'cluster.yaml': cluster('test', 'admin'), 'svc.yaml': observed(uniqueName('y'), 'app:v1') });
    const r = await cmdb('reconcile', '--repo', repo.dir, '--kubeconfig', '/nonexistent/kubeconfig');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^cmdb: --kubeconfig: cannot read the kubeconfig \/nonexistent\/kubeconfig: /);
    expect(r.stderr).not.toContain('    at ');
  });
});
