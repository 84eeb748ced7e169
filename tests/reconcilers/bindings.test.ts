import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../catalog/config.ts';
import { bindingsFromObserve, HTTP_DEFAULTS } from '../../reconcilers/bindings.ts';
import { ignoreFor, parseReconcileConfig } from '../../reconcilers/config.ts';

const REF = 'component:default/cartservice';

describe('bindingsFromObserve', () => {
  it('applies the HTTP defaults', () => {
    const { bindings, problems } = bindingsFromObserve(REF, [{ http: { url: 'http://cartservice.shop:7070/healthz', expectStatus: 200 } }]);
    expect(problems).toEqual([]);
    expect(bindings).toEqual([
      {
        check: 'http',
        key: `http ${REF} http://cartservice.shop:7070/healthz`,
        ref: REF,
        target: { url: 'http://cartservice.shop:7070/healthz' },
        method: 'GET',
        expectStatus: 200,
        headers: {},
        timeoutMs: HTTP_DEFAULTS.timeoutMs,
        intervalMs: HTTP_DEFAULTS.intervalMs,
        failureThreshold: 3,
        successThreshold: 2,
      },
    ]);
  });

  it('reads seconds, thresholds, method and headers', () => {
    const { bindings } = bindingsFromObserve(REF, [
      { http: { url: 'https://x.example/h', method: 'HEAD', timeoutSeconds: 0.5, intervalSeconds: 10, failureThreshold: 5, successThreshold: 1, headers: { host: 'a' } } },
    ]);
    expect(bindings[0]).toMatchObject({ method: 'HEAD', timeoutMs: 500, intervalMs: 10_000, failureThreshold: 5, successThreshold: 1, headers: { host: 'a' } });
  });

  it('a malformed URL or setting is a problem naming the setting, never a binding', () => {
    const { bindings, problems } = bindingsFromObserve(REF, [
      { http: { url: 'http://' } },
      { http: { url: 'ftp://x/y' } },
      { http: { url: 'http://ok/', timeoutSeconds: 0 } },
      { http: { url: 'http://ok/', failureThreshold: 1.5 } },
      { other: {} },
    ]);
    expect(bindings).toEqual([]);
    expect(problems.map((p) => p.path)).toEqual([
      'spec.observe[0].http.url',
      'spec.observe[1].http.url',
      'spec.observe[2].http.timeoutSeconds',
      'spec.observe[3].http.failureThreshold',
      'spec.observe[4]',
    ]);
    expect(problems[1].message).toBe('"ftp://x/y" must be an http:// or https:// URL');
  });

  it('kubernetes entries: cluster from the entry or the default, expect and ignore', () => {
    const entry = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cartservice', expect: { spec: { replicas: 2 } }, ignore: ['/spec/replicas'] };
    const { bindings, problems } = bindingsFromObserve(REF, [{ kubernetes: entry }, { kubernetes: { ...entry, cluster: 'cluster:prod-us' } }], { defaultCluster: 'prod-eu' });
    expect(problems).toEqual([]);
    expect(bindings.map((b) => b.check === 'kubernetes' && b.target.cluster)).toEqual(['cluster:default/prod-eu', 'cluster:default/prod-us']);
    expect(bindings[0]).toMatchObject({ expect: { spec: { replicas: 2 } }, ignore: ['/spec/replicas'] });
  });

  it('kubernetes problems: no cluster, a bad pointer, the same target twice', () => {
    const entry = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', cluster: 'prod' };
    const { bindings, problems } = bindingsFromObserve(REF, [
      { kubernetes: { ...entry, cluster: undefined } },
      { kubernetes: { ...entry, ignore: ['spec/replicas'] } },
      { kubernetes: { ...entry, ignore: ['/a~2b'] } },
      { kubernetes: entry },
      { kubernetes: entry },
    ]);
    expect(bindings).toHaveLength(1);
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['spec.observe[0].kubernetes.cluster', 'is required: the entity runs on no cluster'],
      ['spec.observe[1].kubernetes.ignore[0]', '"spec/replicas" must start with "/" (an RFC 6901 JSON pointer, e.g. /spec/replicas)'],
      ['spec.observe[2].kubernetes.ignore[0]', '"/a~2b" has "~" not followed by 0 or 1 (write ~0 for "~", ~1 for "/")'],
      ['spec.observe[4]', 'observes the same target as an earlier entry'],
    ]);
  });

  it('given the catalog, a cluster that is not a Cluster with a context is a problem at the cluster (after the entry\'s own problems)', () => {
    const entry = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' };
    const catalog = new Map<string, { kind: string; spec: Record<string, unknown> }>([
      ['cluster:default/ok', { kind: 'Cluster', spec: { kubernetes: { context: 'ok' } } }],
      ['cluster:default/bare', { kind: 'Cluster', spec: {} }],
      ['resource:default/redis', { kind: 'Resource', spec: {} }],
    ]);
    const { bindings, problems } = bindingsFromObserve(
      REF,
      [
        { kubernetes: { ...entry, cluster: 'ok' } },
        { kubernetes: { ...entry, name: 'y', cluster: 'bare' } },
        { kubernetes: { ...entry, name: 'z', cluster: 'gone', ignore: ['spec'] } },
        { kubernetes: { ...entry, name: 'w', cluster: 'resource:redis' } },
        { kubernetes: { ...entry, name: 'v' } },
      ],
      { defaultCluster: 'cluster:bare', clusters: (ref) => catalog.get(ref) },
    );
    expect(bindings.map((b) => b.key)).toEqual([`kubernetes ${REF} cluster:default/ok apps/v1 Deployment /x`]);
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['spec.observe[1].kubernetes.cluster', 'refers to cluster:default/bare, which has no spec.kubernetes.context (the kubeconfig context the controller uses for it)'],
      ['spec.observe[2].kubernetes.ignore[0]', '"spec" must start with "/" (an RFC 6901 JSON pointer, e.g. /spec/replicas)'],
      ['spec.observe[3].kubernetes.cluster', 'refers to resource:default/redis, a Resource, not a Cluster'],
      ['spec.observe[4].kubernetes.cluster', 'is not set and defaults to cluster:default/bare (the cluster the entity runs on), which has no spec.kubernetes.context (the kubeconfig context the controller uses for it)'],
    ]);
  });

  it('no observe: no bindings; not a list: a problem', () => {
    expect(bindingsFromObserve(REF, undefined)).toEqual({ bindings: [], problems: [] });
    expect(bindingsFromObserve(REF, { http: {} }).problems).toHaveLength(1);
  });
});

describe('cmdb.yaml reconcile.ignore', () => {
  const yaml = [
    'include: ["**/*.yaml"]',
    'reconcile:',
    '  ignore:',
    '    - kind: Deployment',
    '      group: apps',
    '      pointers: [/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt]',
    '    - namespace: shop',
    '      name: cartservice',
    '      pointers: [/spec/replicas]',
    '    - kind: Service',
    '      pointers: [spec/ports]',
    '    - knd: Service',
    '      pointers: [/spec/type]',
    '',
  ].join('\n');

  it('reads the rules and places each problem at its line and column', () => {
    const { config, violations } = parseReconcileConfig(parseConfig(yaml).config);
    expect(config.ignore).toHaveLength(2);
    expect(violations).toEqual([
      expect.objectContaining({ rule: 'config', file: 'cmdb.yaml', line: 11, column: 18, message: expect.stringContaining('reconcile.ignore[2].pointers[0] "spec/ports" must start with "/"') }),
      expect.objectContaining({ line: 12, column: 7, message: 'reconcile.ignore[3].knd is not a setting (group, kind, namespace, name, pointers)' }),
    ]);
  });

  it('applies the pointers of the rules a target matches, after the binding its own', () => {
    const { config } = parseReconcileConfig(parseConfig(yaml).config);
    const entry = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cartservice', cluster: 'prod', ignore: ['/metadata/labels'] };
    const { bindings } = bindingsFromObserve(REF, [{ kubernetes: entry }, { kubernetes: { ...entry, name: 'other' } }], { ignoreFor: ignoreFor(config) });
    expect(bindings.map((b) => b.check === 'kubernetes' && b.ignore)).toEqual([
      ['/metadata/labels', '/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt', '/spec/replicas'],
      ['/metadata/labels', '/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt'],
    ]);
  });

  it('no section: no rules; a section that is not a mapping: a violation', () => {
    expect(parseReconcileConfig({ raw: {} })).toEqual({ config: { ignore: [] }, violations: [] });
    expect(parseReconcileConfig({ raw: { reconcile: 3 } }).violations[0].message).toBe('reconcile must be a mapping (ignore)');
  });
});
