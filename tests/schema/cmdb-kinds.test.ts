import { describe, expect, it } from 'vitest';
import { builtinValidator, BUILTIN_KINDS } from '../../schema/index.ts';
import { cmdb, yamlDocs } from './fixtures.ts';

const validator = builtinValidator();

/** The catalog format's example (docs/catalog.md), verbatim but for the elided annotation. */
const DESIGN_EXAMPLE = `
apiVersion: cmdb/v1
kind: Component
metadata:
  name: cartservice            # 1-63 chars
  namespace: shop
  title: Cart service
  labels: {tier: backend}
spec:
  type: service
  lifecycle: production
  owner: group:shop-team
  system: online-boutique
  criticality: high
  dependsOn: [resource:redis-cart, component:productcatalogservice]
  runsOn: [cluster:prod-eu]
  providesApis: [cart-api]
  consumesApis: []
  observe:
    - kubernetes:
        cluster: cluster:prod-eu
        apiVersion: apps/v1
        kind: Deployment
        namespace: shop
        name: cartservice
        expect:
          spec: {replicas: 2, template: {spec: {containers: [{name: server, image: cartservice:v0.10.1}]}}}
    - http: {url: "http://cartservice.shop:7070/healthz", expectStatus: 200}
`;

/** One complete, valid spec per kind (every optional field set where practical). */
const VALID: Record<string, Record<string, unknown>> = {
  Domain: { owner: 'group:shop', subdomainOf: 'commerce', type: 'product-area', criticality: 'high' },
  System: { owner: 'group:shop', domain: 'commerce', type: 'product', criticality: 'critical', dependsOn: ['system:identity'], dependencyOf: [] },
  Component: {
    type: 'service', lifecycle: 'production', owner: 'group:shop', system: 'boutique', subcomponentOf: 'frontend',
    providesApis: ['cart-api'], consumesApis: ['catalog-api'], dependsOn: ['resource:redis'], dependencyOf: ['component:web'],
    criticality: 'medium', runsOn: ['cluster:prod-eu'], observe: [{ http: { url: 'https://cart.example.com/healthz' } }],
  },
  API: { type: 'grpc', lifecycle: 'production', owner: 'group:shop', system: 'boutique', definition: { $text: './cart.proto' }, criticality: 'low' },
  Resource: {
    type: 'database', owner: 'group:dba', system: 'boutique', dependsOn: ['host:db-1'], dependencyOf: [], lifecycle: 'production',
    criticality: 'critical', runsOn: ['host:db-1'], observe: [{ kubernetes: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'redis' } }],
  },
  Group: { type: 'team', profile: { displayName: 'Shop', email: 'shop@example.com', picture: 'https://x/p.png' }, parent: 'engineering', children: [], members: ['jdoe'] },
  User: { profile: { displayName: 'Jenny Doe', email: 'jdoe@example.com' }, memberOf: ['shop'] },
  Host: {
    type: 'vm', owner: 'group:ops', system: 'boutique', criticality: 'high', lifecycle: 'production', address: '10.0.3.7', os: 'ubuntu-24.04',
    provider: 'aws', region: 'eu-west-1', runsOn: ['host:hypervisor-1'], dependsOn: ['network:prod-vpc'], dependencyOf: [],
    observe: [{ http: { url: 'http://10.0.3.7:9100/metrics', method: 'HEAD', expectStatus: 200, timeoutSeconds: 2.5, headers: { accept: 'text/plain' } } }],
  },
  Cluster: {
    type: 'kubernetes', owner: 'group:platform', criticality: 'critical', system: 'platform', lifecycle: 'production', provider: 'gke',
    region: 'europe-west1', version: '1.31', runsOn: [], dependsOn: ['network:prod-vpc'], dependencyOf: [], observe: [],
  },
  Network: {
    type: 'vpc', owner: 'group:netops', cidr: '10.0.0.0/16', criticality: 'critical', system: 'platform', lifecycle: 'production',
    provider: 'aws', region: 'eu-west-1', dependsOn: [], dependencyOf: [],
  },
  ChangePolicy: {
    description: 'Critical services need two CAB approvals and a rollback plan',
    match: "change.entities.exists(e, e.spec.criticality == 'critical')",
    rules: [{ expression: "has(change.annotations['cmdb/rollback'])", message: 'Describe the rollback plan' }],
    enforcement: 'soft-mandatory',
    owners: ['group:cab'],
    approvals: [{ from: 'group:cab', count: 2 }, { from: 'owners-of-impacted' }],
    risk: 'high',
    standard: false,
    scope: { kinds: ['Component'], fields: ['spec.observe.*'] },
  },
  ChangeWindow: {
    type: 'freeze', start: '2025-12-20T00:00:00Z', end: '2026-01-02T08:00:00+01:00',
    appliesTo: "entity.spec.criticality in ['critical', 'high']", description: 'Year-end freeze',
  },
  CIClass: { kind: 'Database', description: 'A managed database', schema: { type: 'object', properties: { engine: { type: 'string' } } } },
};

/** The minimal valid spec per kind: only required fields. */
const MINIMAL: Record<string, Record<string, unknown>> = {
  Domain: { owner: 'shop' },
  System: { owner: 'shop' },
  Component: { type: 'service', lifecycle: 'production', owner: 'shop' },
  API: { type: 'openapi', lifecycle: 'production', owner: 'shop', definition: 'openapi: 3.1.0' },
  Resource: { type: 'database', owner: 'shop' },
  Group: { type: 'team' },
  User: {},
  Host: {},
  Cluster: { type: 'kubernetes', owner: 'platform' },
  Network: { owner: 'netops' },
  ChangePolicy: { description: 'Everything is low risk', risk: 'low' },
  ChangeWindow: { type: 'maintenance', start: '2025-06-01 22:00:00Z', end: '2025-06-02 02:00:00Z' },
  CIClass: { kind: 'Queue', schema: {} },
};

describe('cmdb/v1 kinds', () => {
  it('cover every built-in kind', () => {
    expect(Object.keys(VALID).sort()).toEqual([...BUILTIN_KINDS].sort());
    expect(Object.keys(MINIMAL).sort()).toEqual([...BUILTIN_KINDS].sort());
  });

  it('reads the example of the catalog format', () => {
    const [doc] = yamlDocs(DESIGN_EXAMPLE);
    expect(validator.validate(doc)).toEqual([]);
  });

  it.each(Object.entries(VALID))('accept a complete %s', (kind, spec) => {
    expect(validator.validate(cmdb(kind, spec))).toEqual([]);
  });

  it.each(Object.entries(MINIMAL))('accept a minimal %s', (kind, spec) => {
    expect(validator.validate(cmdb(kind, spec))).toEqual([]);
  });

  it.each(Object.entries(VALID))('reject an unknown field in a %s spec, naming it', (kind, spec) => {
    expect(validator.validate(cmdb(kind, { ...spec, bogusField: 1 }))).toEqual([
      { pointer: '/spec/bogusField', message: expect.stringMatching(/^unknown field "bogusField"; expected one of /) },
    ]);
  });

  it.each(Object.keys(VALID))('require spec to be a map in a %s', (kind) => {
    expect(validator.validate(cmdb(kind, ['x']))).toEqual([{ pointer: '/spec', message: 'must be a map, not a list' }]);
  });

  it('suggest the field meant by a typo', () => {
    expect(validator.validate(cmdb('Component', { type: 'service', lifecyle: 'production', owner: 'x' }))).toEqual([
      { pointer: '/spec', message: 'missing required field "lifecycle"' },
      { pointer: '/spec/lifecyle', message: 'unknown field "lifecyle"; did you mean "lifecycle"?' },
    ]);
    expect(validator.validate(cmdb('Component', { ...MINIMAL.Component, DependsOn: [] }))).toEqual([
      { pointer: '/spec/DependsOn', message: 'unknown field "DependsOn"; did you mean "dependsOn"?' },
    ]);
  });

  it('check criticality', () => {
    expect(validator.validate(cmdb('Component', { ...MINIMAL.Component, criticality: 'urgent' }))).toEqual([
      { pointer: '/spec/criticality', message: 'must be one of critical, high, medium, low' },
    ]);
    expect(validator.validate(cmdb('Cluster', { type: 'kubernetes', owner: 'x' }))).toEqual([]);
  });

  it('check relation fields: one reference or a list of them', () => {
    expect(validator.validate(cmdb('Component', { ...MINIMAL.Component, owner: 3, runsOn: 'cluster:prod', dependsOn: [1] }))).toEqual([
      { pointer: '/spec/owner', message: 'must be a string, not the number 3 (put it in quotes)' },
      { pointer: '/spec/dependsOn/0', message: 'must be a string, not the number 1 (put it in quotes)' },
      { pointer: '/spec/runsOn', message: 'must be a list, not a string' },
    ]);
  });

  it('check observe entries', () => {
    const observe = [
      {},
      { kubernetes: { apiVersion: 'apps/v1', kind: 'Deployment' }, http: { url: 'http://x' } },
      { kubernetes: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', expect: 'replicas: 2', namepsace: 'shop' } },
      { http: { url: 'ftp://x', expectStatus: 700, method: 'POST', timeoutSeconds: 0 } },
      { htpp: { url: 'http://x' } },
    ];
    expect(validator.validate(cmdb('Component', { ...MINIMAL.Component, observe }))).toEqual([
      { pointer: '/spec/observe/0', message: 'must have exactly one of kubernetes, http' },
      { pointer: '/spec/observe/1', message: 'must have exactly one of kubernetes, http' },
      { pointer: '/spec/observe/1/kubernetes', message: 'missing required field "name"' },
      { pointer: '/spec/observe/2/kubernetes/namepsace', message: 'unknown field "namepsace"; did you mean "namespace"?' },
      { pointer: '/spec/observe/2/kubernetes/expect', message: 'must be a map, not a string' },
      { pointer: '/spec/observe/3/http/url', message: 'must be an http:// or https:// URL' },
      { pointer: '/spec/observe/3/http/method', message: 'must be one of GET, HEAD' },
      { pointer: '/spec/observe/3/http/expectStatus', message: 'must be at most 599' },
      { pointer: '/spec/observe/3/http/timeoutSeconds', message: 'must be greater than 0' },
      { pointer: '/spec/observe/4/htpp', message: 'unknown field "htpp"; did you mean "http"?' },
    ]);
  });

  it('accept ignore pointers and the HTTP probe settings the reconcilers read; reject bad ones', () => {
    const good = [
      { kubernetes: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', expect: { spec: { replicas: 2 } }, ignore: ['/spec/replicas', '/spec/template/spec/containers/name=server/image'] } },
      { http: { url: 'http://x', timeoutSeconds: 1, intervalSeconds: 10, failureThreshold: 3, successThreshold: 2 } },
    ];
    expect(validator.validate(cmdb('Component', { ...MINIMAL.Component, observe: good }))).toEqual([]);
    const bad = [
      { kubernetes: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', ignore: ['spec/replicas', 3] } },
      { http: { url: 'http://x', intervalSeconds: 0, failureThreshold: 1.5, successThreshold: 0 } },
    ];
    expect(validator.validate(cmdb('Component', { ...MINIMAL.Component, observe: bad }))).toEqual([
      { pointer: '/spec/observe/0/kubernetes/ignore/0', message: 'must be a JSON pointer starting with "/", e.g. /spec/replicas' },
      { pointer: '/spec/observe/0/kubernetes/ignore/1', message: 'must be a string, not the number 3 (put it in quotes)' },
      { pointer: '/spec/observe/1/http/intervalSeconds', message: 'must be greater than 0' },
      { pointer: '/spec/observe/1/http/failureThreshold', message: 'must be an integer, not the number 1.5' },
      { pointer: '/spec/observe/1/http/successThreshold', message: 'must be at least 1' },
    ]);
  });

  it('a Cluster names the kubeconfig context of the controller, never a credential', () => {
    expect(validator.validate(cmdb('Cluster', { ...MINIMAL.Cluster, kubernetes: { context: 'prod-eu' } }))).toEqual([]);
    expect(validator.validate(cmdb('Cluster', { ...MINIMAL.Cluster, kubernetes: { context: '', token: 'abc' } }))).toEqual([
      { pointer: '/spec/kubernetes/token', message: 'unknown field "token"; expected one of context' },
      { pointer: '/spec/kubernetes/context', message: 'must not be empty' },
    ]);
  });

  it('check Cluster type and Network cidr', () => {
    expect(validator.validate(cmdb('Cluster', { ...MINIMAL.Cluster, type: 'k8s' }))).toEqual([
      { pointer: '/spec/type', message: 'must be one of kubernetes, openshift, nomad, ecs, swarm, other' },
    ]);
    for (const cidr of ['10.0.0.0/8', '192.168.1.0/24', '2001:db8::/32', '::/0']) {
      expect(validator.validate(cmdb('Network', { owner: 'x', cidr }))).toEqual([]);
    }
    for (const cidr of ['10.0.0.0', '300.0.0.0/8', '10.0.0.0/33', 'vpc-1']) {
      expect(validator.validate(cmdb('Network', { owner: 'x', cidr }))).toEqual([
        { pointer: '/spec/cidr', message: 'must be an IPv4 or IPv6 CIDR block such as 10.0.0.0/16' },
      ]);
    }
  });

  it('need at least one of rules, approvals, risk, standard in a ChangePolicy', () => {
    expect(validator.validate(cmdb('ChangePolicy', { description: 'does nothing' }))).toEqual([
      { pointer: '/spec', message: 'needs at least one of rules, approvals, risk, standard' },
    ]);
  });

  it('check ChangePolicy fields', () => {
    const spec = {
      description: 'x',
      enforcement: 'mandatory',
      risk: 'medium',
      standard: 'yes',
      rules: [{ expression: 'true' }, { expresion: 'true', message: 'm' }],
      approvals: [{ from: 'group:cab', count: 0 }, { count: 1 }, { from: 'owners-of-changed', count: 1.5 }],
      scope: { kinds: 'Component', fields: ['spec.*'], paths: [] },
    };
    expect(validator.validate(cmdb('ChangePolicy', spec))).toEqual([
      { pointer: '/spec/rules/0', message: 'missing required field "message"' },
      { pointer: '/spec/rules/1', message: 'missing required field "expression"' },
      { pointer: '/spec/rules/1/expresion', message: 'unknown field "expresion"; did you mean "expression"?' },
      { pointer: '/spec/enforcement', message: 'must be one of advisory, soft-mandatory, hard-mandatory' },
      { pointer: '/spec/approvals/0/count', message: 'must be at least 1' },
      { pointer: '/spec/approvals/1', message: 'missing required field "from"' },
      { pointer: '/spec/approvals/2/count', message: 'must be an integer, not the number 1.5' },
      { pointer: '/spec/risk', message: 'must be one of low, moderate, high' },
      { pointer: '/spec/standard', message: 'must be true or false, not a string' },
      { pointer: '/spec/scope/paths', message: 'unknown field "paths"; expected one of kinds, fields' },
      { pointer: '/spec/scope/kinds', message: 'must be a list, not a string' },
    ]);
  });

  it('check ChangeWindow dates', () => {
    const window = (start: unknown, end: unknown) => cmdb('ChangeWindow', { type: 'freeze', start, end });
    const rfc3339 = 'must be an RFC 3339 date-time with a time zone, e.g. 2025-12-20T18:00:00Z';
    expect(validator.validate(window('2025-12-20T18:00:00.123+05:30', '2025-12-21t00:00:00z'))).toEqual([]);
    expect(validator.validate(window('2025-12-20', '2025-12-20T18:00:00'))).toEqual([
      { pointer: '/spec/start', message: rfc3339 },
      { pointer: '/spec/end', message: rfc3339 },
    ]);
    expect(validator.validate(window('2025-13-01T00:00:00Z', 1735000000))).toEqual([
      { pointer: '/spec/start', message: rfc3339 },
      { pointer: '/spec/end', message: 'must be a string, not the number 1735000000 (put it in quotes)' },
    ]);
    expect(validator.validate(window('2025-12-24T00:00:00Z', '2025-12-24T00:00:00Z'))).toEqual([
      { pointer: '/spec/end', message: 'must be after start (2025-12-24T00:00:00Z)' },
    ]);
    expect(validator.validate(cmdb('ChangeWindow', { type: 'blackout', start: '2025-12-24T00:00:00Z', end: '2025-12-25T00:00:00Z' }))).toEqual([
      { pointer: '/spec/type', message: 'must be one of freeze, maintenance' },
    ]);
  });

  it('read unquoted YAML timestamps as strings (yaml core schema)', () => {
    const [doc] = yamlDocs(`
apiVersion: cmdb/v1
kind: ChangeWindow
metadata: {name: xmas}
spec: {type: freeze, start: 2025-12-20T00:00:00Z, end: 2026-01-02T00:00:00Z}
`);
    expect(validator.validate(doc)).toEqual([]);
  });

  it('check CIClass names', () => {
    expect(validator.validate(cmdb('CIClass', { kind: 'database', schema: {} }))).toEqual([
      { pointer: '/spec/kind', message: 'must be a PascalCase kind name of at most 63 characters, such as Database' },
    ]);
    expect(validator.validate(cmdb('CIClass', { kind: 'Component', schema: {} }))).toEqual([
      { pointer: '/spec/kind', message: '"Component" is the built-in kind Component; choose another name' },
    ]);
    expect(validator.validate(cmdb('CIClass', { kind: 'Database', schema: 'type: object' }))).toEqual([
      { pointer: '/spec/schema', message: 'must be a map, not a string' },
    ]);
  });

  it('do not require children on Group nor memberOf on User, unlike Backstage', () => {
    expect(validator.validate(cmdb('Group', { type: 'team' }))).toEqual([]);
    expect(validator.validate(cmdb('User', {}))).toEqual([]);
    expect(validator.validate(cmdb('User', { profile: { displayName: 'x', pronouns: 'they' } }))).toEqual([
      { pointer: '/spec/profile/pronouns', message: 'unknown field "pronouns"; expected one of displayName, email, picture' },
    ]);
  });
});
