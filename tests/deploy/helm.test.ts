/**
 * deploy/helm/gitops-cmdb with a real helm (built from the Go module proxy,
 * tests/infra/helm.ts): lint, template with the default values and with
 * overrides, the rendered objects' security properties, and every rendered
 * object applied to the real API server (tests/infra/kube.ts) with a
 * server-side apply dry run, in a release namespace created for real.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { requireHelm, runHelm, type HelmInstallation } from '../infra/helm.ts';
import { kubeRequest, requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { TestRepo, entity } from '../helpers/gitRepo.ts';

const CHART = path.resolve(import.meta.dirname, '../../deploy/helm/gitops-cmdb');
const NAMESPACE = `cmdb-deploy-${randomBytes(3).toString('hex')}`;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }>;
  envFrom?: Array<{ secretRef?: { name: string } }>;
  ports?: Array<{ name: string; containerPort: number }>;
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  startupProbe?: { httpGet?: { path: string; port: string } };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  initContainers?: Container[];
  containers: Container[];
  volumes: Array<{ name: string; emptyDir?: unknown; persistentVolumeClaim?: { claimName: string } }>;
}
interface Rule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }

let helm: HelmInstallation;
let work: string;

/** Overrides of the default values: GitHub config repo, Neo4j, persistence, a named Lease. */
const GITHUB_VALUES = {
  replicas: 3,
  image: { repository: 'registry.example.com/platform/gitops-cmdb', tag: '1.2.3' },
  configRepo: { github: 'acme/cmdb-config' },
  github: { webhookSecret: 'hook-secret', token: 'ghp_example' },
  neo4j: { uri: 'bolt://neo4j.graph.svc:7687', password: 's3cret', database: 'cmdb' },
  state: { persistence: { enabled: true, accessModes: ['ReadWriteMany'], size: '5Gi' } },
  leaderElection: { leaseName: 'cmdb-leader-lease' },
  server: { logLevel: 'debug' },
};
/** Overrides: a config repo URL from a Secret, fetched by the sidecar; existing Secrets; no leader election. */
const URL_VALUES = {
  replicas: 1,
  configRepo: { urlSecret: { name: 'config-repo-url' }, ref: 'production', syncSeconds: 15 },
  github: { enabled: true, existingSecret: 'github-app' },
  neo4j: { uri: 'neo4j+s://graph.example.com', existingSecret: 'neo4j-auth', passwordKey: 'pw' },
  leaderElection: { enabled: false },
};

async function valuesFile(name: string, values: unknown): Promise<string> {
  const file = path.join(work, `${name}.yaml`);
  await fs.promises.writeFile(file, stringify(values));
  return file;
}

async function template(release: string, values?: unknown): Promise<K8sObject[]> {
  const args = ['template', release, CHART, '--namespace', NAMESPACE];
  if (values !== undefined) args.push('--values', await valuesFile(release, values));
  const r = await runHelm(helm, args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return parseAllDocuments(r.stdout).map((doc) => doc.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

function only(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  expect(found.map((o) => o.metadata.name), `one ${kind}`).toHaveLength(1);
  return found[0]!;
}

function podSpec(objects: K8sObject[]): PodSpec {
  return (only(objects, 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

function allContainers(pod: PodSpec): Container[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

function container(pod: PodSpec, name: string): Container {
  const c = allContainers(pod).find((x) => x.name === name);
  expect(c, `container ${name}`).toBeDefined();
  return c!;
}

type EnvVar = NonNullable<Container['env']>[number];

function env(c: Container, name: string): EnvVar | undefined {
  return c.env?.find((e) => e.name === name);
}

beforeAll(async () => {
  helm = requireHelm();
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cmdb-helm-test-'));
});

afterAll(async () => {
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe('helm lint', () => {
  it('passes with the default values and with each override, strictly', async () => {
    for (const values of [undefined, GITHUB_VALUES, URL_VALUES]) {
      const args = ['lint', '--strict', CHART];
      if (values) args.push('--values', await valuesFile(`lint-${randomBytes(2).toString('hex')}`, values));
      const r = await runHelm(helm, args);
      expect(`${r.stdout}${r.stderr}`).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(r.code).toBe(0);
    }
  });
});

describe('helm template with the default values', () => {
  let objects: K8sObject[];
  let pod: PodSpec;
  beforeAll(async () => {
    objects = await template('cmdb');
    pod = podSpec(objects);
  });

  it('renders the Deployment, its ServiceAccount, RBAC, Service and PodDisruptionBudget, in the release namespace', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    for (const o of objects) if (!o.kind.startsWith('Cluster')) expect(o.metadata.namespace, o.kind).toBe(NAMESPACE);
    expect((only(objects, 'Deployment') as unknown as { spec: { replicas: number } }).spec.replicas).toBe(2);
    expect(pod.serviceAccountName).toBe(only(objects, 'ServiceAccount').metadata.name);
  });

  it('runs every container as non-root, read-only, without privileges or capabilities, under RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(allContainers(pod).map((c) => c.name)).toEqual(['clone-config-repo', 'cmdb']);
    for (const c of allContainers(pod)) {
      expect(c.securityContext, c.name).toEqual({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
  });

  it('gives the server writable emptyDirs for /tmp, the cache dir and the state dir, named by its environment', () => {
    const cmdb = container(pod, 'cmdb');
    const mounts = Object.fromEntries((cmdb.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    expect(env(cmdb, 'CMDB_CACHE_DIR')?.value).toBe('/var/cache/cmdb');
    expect(env(cmdb, 'CMDB_STATE_DIR')?.value).toBe('/var/lib/cmdb');
    expect(cmdb.args).toContain('--state-dir=/var/lib/cmdb');
    for (const dir of ['/tmp', '/var/cache/cmdb', '/var/lib/cmdb']) {
      const mount = mounts[dir];
      expect(mount?.readOnly, dir).toBeFalsy();
      expect(pod.volumes.find((v) => v.name === mount?.name)?.emptyDir, dir).toBeDefined();
    }
  });

  it('probes /livez and /readyz on the port the Service targets, and annotates the Service for Prometheus', () => {
    const cmdb = container(pod, 'cmdb');
    expect(cmdb.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(cmdb.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(cmdb.startupProbe?.httpGet).toEqual({ path: '/livez', port: 'http' });
    const port = cmdb.ports?.find((p) => p.name === 'http')?.containerPort;
    expect(cmdb.args).toContain(`--port=${port}`);
    expect(cmdb.args).toContain('--host=0.0.0.0');
    const service = only(objects, 'Service') as K8sObject & { spec: { ports: Array<{ targetPort: string }> } };
    expect(service.spec.ports[0]?.targetPort).toBe('http');
    expect(service.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
  });

  it('reads the cluster only: get/list/watch on the watched kinds; and get/create/update on its one Lease', () => {
    const rules = (only(objects, 'ClusterRole') as unknown as { rules: Rule[] }).rules;
    const granted = rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups.join()}/${res}`)).sort();
    expect(granted).toEqual(['/namespaces', '/services', 'apps/daemonsets', 'apps/deployments', 'apps/statefulsets', 'autoscaling/horizontalpodautoscalers']);
    for (const r of rules) expect(r.verbs.sort()).toEqual(['get', 'list', 'watch']);
    const lease = env(container(pod, 'cmdb'), 'CMDB_LEADER_ELECT_LEASE_NAME')?.value;
    expect(lease).toBe('cmdb-gitops-cmdb-leader');
    const roleRules = (only(objects, 'Role') as unknown as { rules: Rule[] }).rules;
    for (const r of roleRules) expect(`${r.apiGroups.join()}/${r.resources.join()}`).toBe('coordination.k8s.io/leases');
    expect(roleRules.flatMap((r) => r.verbs).sort()).toEqual(['create', 'get', 'update']);
    expect(roleRules.filter((r) => r.verbs.includes('update')).map((r) => r.resourceNames)).toEqual([[lease]]);
    const binding = only(objects, 'RoleBinding') as unknown as { roleRef: { name: string }; subjects: Array<{ name: string; namespace: string }> };
    expect(binding.roleRef.name).toBe(only(objects, 'Role').metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: NAMESPACE }]);
  });

  it('passes leader election to the server with the durations of the values', () => {
    const cmdb = container(pod, 'cmdb');
    expect(env(cmdb, 'CMDB_LEADER_ELECT')?.value).toBe('true');
    expect(env(cmdb, 'CMDB_LEADER_ELECT_LEASE_DURATION')?.value).toBe('15s');
    expect(env(cmdb, 'CMDB_LEADER_ELECT_RENEW_DEADLINE')?.value).toBe('10s');
    expect(env(cmdb, 'CMDB_LEADER_ELECT_RETRY_PERIOD')?.value).toBe('2s');
    expect(env(cmdb, 'CMDB_LEADER_ELECT_NAMESPACE')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(env(cmdb, 'CMDB_LEADER_ELECT_IDENTITY')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
  });

  it('serves the demo config repo baked into the image, cloned by the init container, with no Secrets', () => {
    expect(env(container(pod, 'clone-config-repo'), 'CMDB_CONFIG_REPO_URL')?.value).toBe('/opt/gitops-cmdb/demo.git');
    expect(container(pod, 'cmdb').args).toEqual(expect.arrayContaining(['--repo=/srv/config-repo/repo.git', '--ref=main']));
    expect(container(pod, 'cmdb').volumeMounts).toContainEqual({ name: 'config-repo', mountPath: '/srv/config-repo', readOnly: true });
    expect(env(container(pod, 'cmdb'), 'CMDB_NEO4J_URI')).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('helm template with overrides', () => {
  it('a GitHub config repo, Neo4j and persistence: Secrets from values, a claim, the named Lease', async () => {
    const objects = await template('gh', GITHUB_VALUES);
    const pod = podSpec(objects);
    const cmdb = container(pod, 'cmdb');
    expect((only(objects, 'Deployment') as unknown as { spec: { replicas: number } }).spec.replicas).toBe(3);
    expect(allContainers(pod).map((c) => c.name)).toEqual(['cmdb']); // the server clones it
    expect(cmdb.args).toContain('--github-repo=acme/cmdb-config');
    expect(cmdb.args?.filter((a) => a.startsWith('--repo'))).toEqual([]);
    expect((cmdb as { image?: string }).image).toBe('registry.example.com/platform/gitops-cmdb:1.2.3');

    const secrets = objects.filter((o) => o.kind === 'Secret') as Array<K8sObject & { stringData: Record<string, string> }>;
    const github = secrets.find((s) => s.stringData.GITHUB_WEBHOOK_SECRET);
    expect(github?.stringData).toEqual({ GITHUB_WEBHOOK_SECRET: 'hook-secret', GITHUB_TOKEN: 'ghp_example' });
    expect(cmdb.envFrom).toEqual([{ secretRef: { name: github?.metadata.name } }]);
    const neo4j = secrets.find((s) => s !== github);
    expect(neo4j?.stringData).toEqual({ password: 's3cret' });
    expect(env(cmdb, 'CMDB_NEO4J_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: neo4j?.metadata.name, key: 'password' } });
    expect(env(cmdb, 'CMDB_NEO4J_URI')?.value).toBe('bolt://neo4j.graph.svc:7687');
    expect(env(cmdb, 'CMDB_NEO4J_DATABASE')?.value).toBe('cmdb');
    expect(env(cmdb, 'CMDB_LOG_LEVEL')?.value).toBe('debug');

    const claim = only(objects, 'PersistentVolumeClaim') as K8sObject & { spec: { accessModes: string[]; resources: { requests: { storage: string } } } };
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } });
    expect(pod.volumes.find((v) => v.name === 'state')?.persistentVolumeClaim).toEqual({ claimName: claim.metadata.name });

    expect(env(cmdb, 'CMDB_LEADER_ELECT_LEASE_NAME')?.value).toBe('cmdb-leader-lease');
    const roleRules = (only(objects, 'Role') as unknown as { rules: Rule[] }).rules;
    expect(roleRules.find((r) => r.verbs.includes('get'))?.resourceNames).toEqual(['cmdb-leader-lease']);
  });

  it('a config repo URL from a Secret: cloned and then fetched by a sidecar; existing Secrets; no leader election', async () => {
    const objects = await template('url', URL_VALUES);
    const pod = podSpec(objects);
    expect(allContainers(pod).map((c) => c.name)).toEqual(['clone-config-repo', 'cmdb', 'git-sync']);
    for (const name of ['clone-config-repo', 'git-sync']) {
      expect(env(container(pod, name), 'CMDB_CONFIG_REPO_URL')?.valueFrom, name).toEqual({ secretKeyRef: { name: 'config-repo-url', key: 'url' } });
      expect(container(pod, name).securityContext?.readOnlyRootFilesystem, name).toBe(true);
    }
    expect(env(container(pod, 'git-sync'), 'SYNC_SECONDS')?.value).toBe('15');
    const cmdb = container(pod, 'cmdb');
    expect(cmdb.args).toEqual(expect.arrayContaining(['--repo=/srv/config-repo/repo.git', '--ref=production', '--github']));
    expect(cmdb.envFrom).toEqual([{ secretRef: { name: 'github-app' } }]);
    expect(env(cmdb, 'CMDB_NEO4J_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'neo4j-auth', key: 'pw' } });
    expect(env(cmdb, 'CMDB_LEADER_ELECT')).toBeUndefined();
    expect(objects.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service', 'ServiceAccount']);
  });

  it('reconciles, signs in and takes Alertmanager\'s token only when asked: tokens file and token from existing Secrets, OIDC settings, anonymous reads', async () => {
    const plain = container(podSpec(await template('plain')), 'cmdb');
    expect(plain.args).not.toContain('--reconcile');
    for (const name of ['CMDB_TOKENS_FILE', 'CMDB_ANONYMOUS_READ', 'CMDB_OIDC_ISSUER', 'CMDB_ALERTMANAGER_TOKEN']) expect(env(plain, name), name).toBeUndefined();

    const objects = await template('ops', {
      reconcile: { enabled: true },
      api: { tokensSecret: 'cmdb-api-tokens', anonymousRead: false, oidc: { issuer: 'https://sso.example.com', audience: 'cmdb-ui', roleMap: 'oncall=responder', clientId: 'cmdb-ui' } },
      alertmanager: { tokenSecret: 'cmdb-alertmanager' },
    });
    const pod = podSpec(objects);
    const cmdb = container(pod, 'cmdb');
    expect(cmdb.args).toContain('--reconcile');
    expect(env(cmdb, 'CMDB_TOKENS_FILE')?.value).toBe('/etc/cmdb/tokens/tokens.yaml');
    expect((cmdb as { volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }> }).volumeMounts).toContainEqual({ name: 'api-tokens', mountPath: '/etc/cmdb/tokens', readOnly: true });
    expect(pod.volumes.find((v) => v.name === 'api-tokens')).toEqual({ name: 'api-tokens', secret: { secretName: 'cmdb-api-tokens' } });
    expect(env(cmdb, 'CMDB_ANONYMOUS_READ')?.value).toBe('false');
    expect(env(cmdb, 'CMDB_OIDC_ISSUER')?.value).toBe('https://sso.example.com');
    expect(env(cmdb, 'CMDB_OIDC_ROLES_CLAIM')?.value).toBe('groups');
    expect(env(cmdb, 'CMDB_OIDC_ROLE_MAP')?.value).toBe('oncall=responder');
    expect(env(cmdb, 'CMDB_OIDC_CLIENT_ID')?.value).toBe('cmdb-ui');
    expect(env(cmdb, 'CMDB_OIDC_SCOPES')?.value).toBe('profile');
    expect(env(cmdb, 'CMDB_ALERTMANAGER_TOKEN')?.valueFrom).toEqual({ secretKeyRef: { name: 'cmdb-alertmanager', key: 'token' } });
    // The chart creates no Secret for them: credentials never go through values.
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('refuses contradictory or incomplete values with a message naming them', async () => {
    const credentials = { webhookSecret: 'hook-secret', token: 'ghp_token' };
    const cases: Array<[unknown, RegExp]> = [
      [{ configRepo: { github: 'acme/config', url: 'https://git.example.com/config.git' }, github: credentials }, /configRepo: set either github \(OWNER\/NAME\) or url\/urlSecret, not both/],
      [{ configRepo: { github: 'not a repo' }, github: credentials }, /configRepo\.github must be OWNER\/NAME, not "not a repo"/],
      [{ configRepo: { github: 'acme/config' } }, /github: set github\.webhookSecret \(GITHUB_WEBHOOK_SECRET\) or github\.existingSecret/],
      [{ github: { enabled: true, webhookSecret: 'x' } }, /github: set github\.appId and github\.privateKey \(a GitHub App\), or github\.token, or github\.existingSecret/],
      // values.schema.json: a misspelt value, a value of the wrong shape
      [{ replica: 3 }, /at '': additional properties 'replica' not allowed/],
      [{ neo4j: { uri: 'http://neo4j:7474' } }, /at '\/neo4j\/uri': 'http:\/\/neo4j:7474' does not match pattern/],
      [{ leaderElection: { leaseDuration: 15 } }, /at '\/leaderElection\/leaseDuration': got number, want string/],
    ];
    for (const [values, message] of cases) {
      const r = await runHelm(helm, ['template', 'bad', CHART, '--values', await valuesFile(`bad-${randomBytes(2).toString('hex')}`, values)]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('the rendered objects on the real API server (server-side apply, dry run)', () => {
  let kube: KubeAccess;
  const discovered = new Map<string, Array<{ name: string; kind: string; namespaced: boolean }>>();

  beforeAll(async () => {
    kube = await requireKube();
    const created = await kubeRequest({ server: kube.server, token: kube.adminToken, method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } });
    expect(created.status, created.text).toBe(201);
  });

  afterAll(async () => {
    if (kube) await kubeRequest({ server: kube.server, token: kube.adminToken, method: 'DELETE', path: `/api/v1/namespaces/${NAMESPACE}` });
  });

  /** The object's URL, from the API server's discovery of its apiVersion. */
  async function objectPath(o: K8sObject): Promise<string> {
    const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
    if (!discovered.has(base)) {
      const res = await kubeRequest({ server: kube.server, token: kube.adminToken, path: base });
      expect(res.status, `${base}: ${res.text}`).toBe(200);
      discovered.set(base, (res.json as { resources: Array<{ name: string; kind: string; namespaced: boolean }> }).resources);
    }
    const resource = discovered.get(base)!.find((r) => r.kind === o.kind && !r.name.includes('/'));
    expect(resource, `${o.apiVersion} ${o.kind} is served`).toBeDefined();
    return resource!.namespaced
      ? `${base}/namespaces/${o.metadata.namespace}/${resource!.name}/${o.metadata.name}`
      : `${base}/${resource!.name}/${o.metadata.name}`;
  }

  function applyDryRun(o: K8sObject, objectUrl: string) {
    return kubeRequest({
      server: kube.server,
      token: kube.adminToken,
      method: 'PATCH',
      path: `${objectUrl}?dryRun=All&fieldManager=cmdb-test`,
      contentType: 'application/apply-patch+yaml',
      body: stringify(o),
    });
  }

  for (const [release, values] of [['cmdb', undefined], ['gh', GITHUB_VALUES], ['url', URL_VALUES]] as const) {
    it(`accepts every object of release ${release}, and stores none of them`, async () => {
      const objects = await template(release, values);
      expect(objects.length).toBeGreaterThan(4);
      for (const o of objects) {
        const url = await objectPath(o);
        const res = await applyDryRun(o, url);
        expect(res.status, `${o.kind} ${o.metadata.name}: ${res.text}`).toBeOneOf([200, 201]);
        expect(res.json).toMatchObject({ kind: o.kind, metadata: { name: o.metadata.name } });
        const stored = await kubeRequest({ server: kube.server, token: kube.adminToken, path: url });
        expect(stored.status, `${o.kind} ${o.metadata.name} must not exist after a dry run`).toBe(404);
      }
    });
  }

  it('helm install puts the release into the namespace for real, prints the NOTES, and helm uninstall removes it', async () => {
    const kubeconfig = ['--kubeconfig', kube.kubeconfig, '--namespace', NAMESPACE];
    const installed = await runHelm(helm, ['install', 'real', CHART, ...kubeconfig, '--values', await valuesFile('real', GITHUB_VALUES)], { timeoutMs: 120_000 });
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    expect(installed.stdout).toMatch(/STATUS: deployed/);
    expect(installed.stdout).toContain('Config repo: acme/cmdb-config on GitHub, cloned by the server.');
    expect(installed.stdout).toContain(`Leader election: Lease cmdb-leader-lease in ${NAMESPACE}.`);
    const url = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/real-gitops-cmdb`;
    const deployment = await kubeRequest({ server: kube.server, token: kube.adminToken, path: url });
    expect(deployment.status).toBe(200);
    expect((deployment.json as { spec: { template: { spec: PodSpec } } }).spec.template.spec.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    const uninstalled = await runHelm(helm, ['uninstall', 'real', ...kubeconfig], { timeoutMs: 120_000 });
    expect(uninstalled.code, uninstalled.stderr).toBe(0);
    expect((await kubeRequest({ server: kube.server, token: kube.adminToken, path: url })).status).toBe(404);
    // The state claim is kept (helm.sh/resource-policy: keep): change records outlive an uninstall.
    const claim = await kubeRequest({ server: kube.server, token: kube.adminToken, path: `/api/v1/namespaces/${NAMESPACE}/persistentvolumeclaims/real-gitops-cmdb-state` });
    expect(claim.status).toBe(200);
  });

  it('validates what it is given: a Deployment with an invalid field is refused', async () => {
    const deployment = only(await template('cmdb'), 'Deployment') as K8sObject & { spec: { replicas: number } };
    const res = await applyDryRun({ ...deployment, spec: { ...deployment.spec, replicas: -1 } }, await objectPath(deployment));
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/spec\.replicas/);
  });
});

describe('the config repo in URL mode, with the rendered scripts run by sh as the pod user', () => {
  const BIN = path.resolve(import.meta.dirname, '../../bin/cmdb.js');
  let upstream: TestRepo;
  /** Stands for the emptyDir: a folder of the test's user (root's, in a pod), writable by all. */
  let volume: string;
  let home: string;
  let repoDir: string;
  let init: Container;
  let sync: Container;
  /** As root, the scripts run as the pod's runAsUser (as in the pod, not the owner of the volume). */
  let user: { uid?: number; gid?: number };
  beforeAll(async () => {
    upstream = TestRepo.create('cmdb-upstream-');
    upstream.commit({ 'team.yaml': entity('Group', 'platform', { type: 'team' }) }, 'first');
    fs.chmodSync(upstream.dir, 0o755);
    const pod = podSpec(await template('sh', { configRepo: { url: upstream.dir, ref: 'main' } }));
    init = container(pod, 'clone-config-repo');
    sync = container(pod, 'git-sync');
    const repoArg = container(pod, 'cmdb').args?.find((a) => a.startsWith('--repo='))?.slice('--repo='.length);
    expect(repoArg?.startsWith('/srv/config-repo/')).toBe(true);
    const base = await fs.promises.mkdtemp(path.join(work, 'pod-'));
    fs.chmodSync(work, 0o755);
    fs.chmodSync(base, 0o755);
    volume = path.join(base, 'config-repo');
    home = path.join(base, 'tmp');
    for (const dir of [volume, home]) {
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o777);
    }
    repoDir = repoArg!.replace('/srv/config-repo', volume);
    // The upstream is a local folder of the test's user: a safe.directory, as a remote URL would be (its owner is not checked).
    fs.writeFileSync(path.join(home, '.gitconfig'), `[safe]\n\tdirectory = ${path.join(upstream.dir, '.git')}\n`, { mode: 0o644 });
    const { runAsUser, runAsGroup } = pod.securityContext as { runAsUser: number; runAsGroup: number };
    user = process.getuid?.() === 0 ? { uid: runAsUser, gid: runAsGroup } : {};
  });
  afterAll(() => upstream?.remove());

  /** The container's command line, its /srv/config-repo mount moved to the temp volume. */
  function commandOf(c: Container): string[] {
    return [...(c.command ?? []), ...(c.args ?? [])].map((part) => part.replaceAll('/srv/config-repo', volume));
  }
  /** The container's environment, HOME in the temp dir. */
  function envOf(c: Container, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    const fromValues = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']));
    return { PATH: process.env.PATH, ...fromValues, HOME: home, ...overrides };
  }
  const head = (): string => spawnSync('git', ['-c', 'safe.directory=*', '-C', repoDir, 'rev-parse', 'refs/heads/main'], { encoding: 'utf8' }).stdout.trim();
  const runInit = () => {
    const [cmd, ...args] = commandOf(init);
    return spawnSync(cmd!, args, { encoding: 'utf8', env: envOf(init), ...user });
  };

  it('clones the repo (init container) into the volume, and fetches on a restart', () => {
    expect(env(init, 'CMDB_CONFIG_REPO_URL')?.value).toBe(upstream.dir);
    const first = runInit();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(head()).toBe(upstream.git('rev-parse', 'main'));
    const again = runInit();
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
  });

  it('is read by cmdb, as the same user, at the --repo and --ref the server gets', () => {
    const validate = spawnSync(process.execPath, [BIN, 'validate', '--repo', repoDir, '--ref', 'main'], { encoding: 'utf8', env: { ...process.env, HOME: home, CMDB_CACHE_DIR: path.join(home, 'cache') }, timeout: 60_000, ...user });
    expect(validate.stderr).toMatch(/^valid: 1 entities at /);
    expect(validate.status).toBe(0);
  });

  it('fetches new commits (git-sync sidecar) and stops at once on SIGTERM', async () => {
    const next = upstream.commit({ 'web.yaml': entity('Component', 'web', { type: 'service', owner: 'group:platform', lifecycle: 'production' }) }, 'second');
    expect(head()).not.toBe(next);
    const [cmd, ...args] = commandOf(sync);
    const child = spawn(cmd!, args, { env: envOf(sync, { SYNC_SECONDS: '0.2' }), stdio: ['ignore', 'pipe', 'pipe'], ...user });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(head, { timeout: 15_000, interval: 100 }).toBe(next);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 5_000))]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});
