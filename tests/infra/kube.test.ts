import { afterEach, describe, expect, it } from 'vitest';
import { KUBE_VERSION, KubeInfraError, apiserverGoMod, findGo, kubeconfigYaml } from './kube.ts';
import { parse as parseYaml } from 'yaml';

// An excerpt of the shape of k8s.io/kubernetes's go.mod.
const upstream = `module k8s.io/kubernetes

go 1.24.0

godebug default=go1.24

require (
	github.com/spf13/cobra v1.9.1
	k8s.io/api v0.0.0
	k8s.io/apiserver v0.0.0
	k8s.io/kube-openapi v0.0.0-20250710124328-f3f2b991d03b
	k8s.io/utils v0.0.0-20250604170112-4c0f3b243397
)

require (
	k8s.io/apiserver v0.0.0 // indirect
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/apiserver => ./staging/src/k8s.io/apiserver
)
`;

describe('the kube-apiserver wrapper module (tests/infra/kube.ts)', () => {
  it('replaces each staging module required at v0.0.0 by its published version, and keeps the go and godebug lines', () => {
    const published = `v0${KUBE_VERSION.slice(2)}`;
    const goMod = apiserverGoMod(upstream);
    expect(goMod).toContain(`require k8s.io/kubernetes ${KUBE_VERSION}\n`);
    expect(goMod).toContain('\ngo 1.24.0\n');
    expect(goMod).toContain('\ngodebug default=go1.24\n');
    const replaces = goMod.split('\n').filter((line) => line.includes('=>')).map((line) => line.trim());
    expect(replaces).toEqual([
      `k8s.io/api => k8s.io/api ${published}`,
      `k8s.io/apiserver => k8s.io/apiserver ${published}`,
    ]);
  });

  it('refuses an upstream go.mod without staging modules (the recipe would be stale)', () => {
    expect(() => apiserverGoMod('module k8s.io/kubernetes\n\nrequire k8s.io/utils v0.0.0-20250604170112-4c0f3b243397\n'))
      .toThrow(/no staging module at v0\.0\.0/);
  });
});

describe('finding Go (tests/infra/kube.ts)', () => {
  const saved = process.env.CMDB_KUBE_GO;
  afterEach(() => {
    if (saved === undefined) delete process.env.CMDB_KUBE_GO;
    else process.env.CMDB_KUBE_GO = saved;
  });

  it('says how to install Go when the configured command does not exist', async () => {
    process.env.CMDB_KUBE_GO = '/nonexistent/go';
    const error = await findGo().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(KubeInfraError);
    expect((error as KubeInfraError).code).toBe('KUBE_GO_MISSING');
    expect((error as Error).message).toMatch(/no go command found \(\/nonexistent\/go\).*Go 1\.26\+ is needed.*https:\/\/go\.dev\/dl\//s);
  });
});

describe('the admin kubeconfig (tests/infra/kube.ts)', () => {
  it('has admin as the current context and a viewer context, both on the server without TLS verification', () => {
    const config = parseYaml(kubeconfigYaml('https://127.0.0.1:6443', 'admintoken', 'viewertoken')) as Record<string, any>;
    expect(config['current-context']).toBe('admin');
    expect(config.clusters).toEqual([{ name: 'cmdb-test', cluster: { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true } }]);
    expect(config.users).toEqual([{ name: 'admin', user: { token: 'admintoken' } }, { name: 'viewer', user: { token: 'viewertoken' } }]);
    expect(config.contexts.map((c: { name: string }) => c.name)).toEqual(['admin', 'viewer']);
  });
});
