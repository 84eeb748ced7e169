import { describe, expect, it } from 'vitest';
import { compareObjects } from '../../reconcilers/compare/compare.ts';
import { formatPath, matchesPattern } from '../../reconcilers/compare/path.ts';
import type { JsonObject } from '../../reconcilers/types.ts';

/** A Deployment as the API server returns it: defaults filled in, a sidecar injected, status. */
function liveDeployment(): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'cartservice',
      namespace: 'shop',
      generation: 3,
      resourceVersion: '81234',
      uid: 'f3c1',
      labels: { app: 'cartservice' },
      annotations: { 'deployment.kubernetes.io/revision': '3' },
      finalizers: ['example.com/a', 'example.com/b'],
    },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      selector: { matchLabels: { app: 'cartservice' } },
      template: {
        metadata: { labels: { app: 'cartservice' } },
        spec: {
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
          securityContext: {},
          tolerations: [
            { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
            { key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' },
          ],
          containers: [
            {
              name: 'istio-proxy',
              image: 'istio/proxyv2:1.22',
              ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }],
            },
            {
              name: 'server',
              image: 'cartservice:v0.10.1',
              imagePullPolicy: 'IfNotPresent',
              terminationMessagePath: '/dev/termination-log',
              ports: [
                { containerPort: 9090, protocol: 'UDP' },
                { containerPort: 7070, protocol: 'TCP' },
              ],
              env: [
                { name: 'REDIS_ADDR', value: 'redis-cart:6379' },
                { name: 'PORT', value: '7070' },
              ],
              resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1536Mi', 'ephemeral-storage': '1G' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 7070, scheme: 'HTTP' }, periodSeconds: 10 },
              args: ['--port', '7070'],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
    status: { observedGeneration: 3, replicas: 2, readyReplicas: 2 },
  };
}

const deployment = (spec: JsonObject): JsonObject => ({ spec });
const podSpec = (spec: JsonObject): JsonObject => deployment({ template: { spec } });

describe('compareObjects: partial expectations', () => {
  it('server defaults, live-only fields and an injected sidecar are no drift', () => {
    const expect_ = deployment({ replicas: 2, template: { spec: { containers: [{ name: 'server', image: 'cartservice:v0.10.1' }] } } });
    expect(compareObjects(expect_, liveDeployment())).toEqual([]);
  });

  it('reports one drift per differing leaf, with a readable path', () => {
    const drifts = compareObjects(
      deployment({ replicas: 3, template: { spec: { containers: [{ name: 'server', image: 'cartservice:v0.11.0', imagePullPolicy: 'IfNotPresent' }] } } }),
      liveDeployment(),
    );
    expect(drifts).toEqual([
      { field: 'spec.replicas', expected: 3, actual: 2 },
      { field: 'spec.template.spec.containers[name=server].image', expected: 'cartservice:v0.11.0', actual: 'cartservice:v0.10.1' },
    ]);
  });

  it('a field the live object lacks is a drift without actual', () => {
    expect(compareObjects(podSpec({ containers: [{ name: 'server', workingDir: '/app' }] }), liveDeployment())).toEqual([
      { field: 'spec.template.spec.containers[name=server].workingDir', expected: '/app' },
    ]);
  });

  it('reports the leaves under a missing object, one each', () => {
    expect(compareObjects(podSpec({ nodeSelector: { zone: 'a', disk: 'ssd' } }), liveDeployment())).toEqual([
      { field: 'spec.template.spec.nodeSelector.zone', expected: 'a' },
      { field: 'spec.template.spec.nodeSelector.disk', expected: 'ssd' },
    ]);
  });

  it('a missing list item is one drift naming its key', () => {
    const item = { name: 'cache', image: 'redis:7' };
    expect(compareObjects(podSpec({ containers: [item] }), liveDeployment())).toEqual([{ field: 'spec.template.spec.containers[name=cache]', expected: item }]);
  });

  it('quotes keys that are not identifiers', () => {
    expect(compareObjects({ metadata: { annotations: { 'deployment.kubernetes.io/revision': '4' } } }, liveDeployment())).toEqual([
      { field: 'metadata.annotations["deployment.kubernetes.io/revision"]', expected: '4', actual: '3' },
    ]);
  });

  it('a type mismatch is a drift of the whole value', () => {
    expect(compareObjects(deployment({ strategy: 'RollingUpdate' }), liveDeployment())).toEqual([
      { field: 'spec.strategy', expected: 'RollingUpdate', actual: liveDeployment().spec && (liveDeployment().spec as JsonObject).strategy },
    ]);
    expect(compareObjects(deployment({ replicas: '2' }), liveDeployment())).toEqual([{ field: 'spec.replicas', expected: '2', actual: 2 }]);
  });

  it('null expects the field absent', () => {
    expect(compareObjects(deployment({ paused: null }), liveDeployment())).toEqual([]);
    expect(compareObjects(deployment({ replicas: null }), liveDeployment())).toEqual([{ field: 'spec.replicas', expected: null, actual: 2 }]);
  });
});

describe('compareObjects: lists of objects match by merge key, never by position', () => {
  it('containers reordered: no drift', () => {
    const expected = podSpec({ containers: [{ name: 'server', image: 'cartservice:v0.10.1' }, { name: 'istio-proxy', image: 'istio/proxyv2:1.22' }] });
    expect(compareObjects(expected, liveDeployment())).toEqual([]);
  });

  it('env reordered: no drift; a changed value names the variable', () => {
    const env = (port: string) => podSpec({ containers: [{ name: 'server', env: [{ name: 'PORT', value: port }, { name: 'REDIS_ADDR', value: 'redis-cart:6379' }] }] });
    expect(compareObjects(env('7070'), liveDeployment())).toEqual([]);
    expect(compareObjects(env('8080'), liveDeployment())).toEqual([
      { field: 'spec.template.spec.containers[name=server].env[name=PORT].value', expected: '8080', actual: '7070' },
    ]);
  });

  it('container ports match on containerPort and protocol, protocol defaulting to TCP', () => {
    const ports = (p: JsonObject[]) => podSpec({ containers: [{ name: 'server', ports: p }] });
    expect(compareObjects(ports([{ containerPort: 7070 }, { containerPort: 9090, protocol: 'UDP' }]), liveDeployment())).toEqual([]);
    expect(compareObjects(ports([{ containerPort: 9090 }]), liveDeployment())).toEqual([
      { field: 'spec.template.spec.containers[name=server].ports[containerPort=9090,protocol=TCP]', expected: { containerPort: 9090 } },
    ]);
  });

  it('volumes by name, volume mounts by mountPath', () => {
    const live = liveDeployment();
    const container = ((((live.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[])[1];
    container.volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true }];
    expect(compareObjects(podSpec({ containers: [{ name: 'server', volumeMounts: [{ mountPath: '/etc/cfg', name: 'cfg' }, { mountPath: '/tmp', name: 'tmp' }] }] }), live)).toEqual([]);
    expect(compareObjects(podSpec({ containers: [{ name: 'server', volumeMounts: [{ mountPath: '/etc/cfg', readOnly: false }] }] }), live)).toEqual([
      { field: 'spec.template.spec.containers[name=server].volumeMounts[mountPath=/etc/cfg].readOnly', expected: false, actual: true },
    ]);
  });

  it('Service ports match on port and protocol (a row limited to kind Service)', () => {
    const live: JsonObject = { spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }, { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] } };
    const expected: JsonObject = { spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 53, protocol: 'UDP', targetPort: '5353' }] } };
    expect(compareObjects(expected, live, { kind: 'Service' })).toEqual([]);
  });

  it('lists without a key in the tables match by name when every expected item has one', () => {
    const live: JsonObject = { spec: { items: [{ name: 'b', v: 2 }, { name: 'a', v: 1 }] } };
    expect(compareObjects({ spec: { items: [{ name: 'a', v: 1 }] } }, live)).toEqual([]);
    expect(compareObjects({ spec: { items: [{ name: 'a', v: 3 }] } }, live)).toEqual([{ field: 'spec.items[name=a].v', expected: 3, actual: 1 }]);
  });

  it('lists of objects with no key match each expected item to a distinct live one, in any order', () => {
    const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'shop' }];
    expect(compareObjects(podSpec({ tolerations }), liveDeployment())).toEqual([]);
    const two = [...tolerations, { key: 'dedicated', value: 'shop' }];
    expect(compareObjects(podSpec({ tolerations: two }), liveDeployment())).toEqual([{ field: 'spec.template.spec.tolerations[1]', expected: two[1] }]);
  });

  it('lists of scalars compare whole and in order; sets in any order', () => {
    expect(compareObjects(podSpec({ containers: [{ name: 'server', args: ['--port', '7070'] }] }), liveDeployment())).toEqual([]);
    expect(compareObjects(podSpec({ containers: [{ name: 'server', args: ['7070', '--port'] }] }), liveDeployment())).toEqual([
      { field: 'spec.template.spec.containers[name=server].args', expected: ['7070', '--port'], actual: ['--port', '7070'] },
    ]);
    expect(compareObjects({ metadata: { finalizers: ['example.com/b'] } }, liveDeployment())).toEqual([]);
    expect(compareObjects({ metadata: { finalizers: ['example.com/c'] } }, liveDeployment())).toHaveLength(1);
  });
});

describe('compareObjects: quantities and int-or-string', () => {
  it('resource quantities compare by value', () => {
    const resources = (r: JsonObject) => podSpec({ containers: [{ name: 'server', resources: r }] });
    expect(compareObjects(resources({ requests: { cpu: 0.5, memory: '1024Mi' }, limits: { cpu: 1, memory: '1.5Gi', 'ephemeral-storage': '1000M' } }), liveDeployment())).toEqual([]);
    expect(compareObjects(resources({ requests: { memory: '1G' } }), liveDeployment())).toEqual([
      { field: 'spec.template.spec.containers[name=server].resources.requests.memory', expected: '1G', actual: '1Gi' },
    ]);
    expect(compareObjects(podSpec({ volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '65536Ki' } }] }), liveDeployment())).toEqual([]);
  });

  it('quantities are only compared by value where the tables say', () => {
    expect(compareObjects({ metadata: { labels: { app: '1000m' } } }, { metadata: { labels: { app: '1' } } })).toHaveLength(1);
  });

  it('int and string forms of int-or-string fields are equal; percent strings are not ints', () => {
    expect(compareObjects(deployment({ strategy: { rollingUpdate: { maxUnavailable: '1', maxSurge: '25%' } } }), liveDeployment())).toEqual([]);
    expect(compareObjects(podSpec({ containers: [{ name: 'server', readinessProbe: { httpGet: { port: '7070' } } }] }), liveDeployment())).toEqual([]);
    expect(compareObjects(deployment({ strategy: { rollingUpdate: { maxSurge: 25 } } }), liveDeployment())).toEqual([
      { field: 'spec.strategy.rollingUpdate.maxSurge', expected: 25, actual: '25%' },
    ]);
  });

  it('elsewhere a number and a string differ', () => {
    expect(compareObjects(podSpec({ containers: [{ name: 'server', env: [{ name: 'PORT', value: 7070 }] }] }), liveDeployment())).toHaveLength(1);
  });
});

describe('compareObjects: ignore pointers and the HPA rule', () => {
  const stale = deployment({ replicas: 5, template: { spec: { containers: [{ name: 'server', image: 'cartservice:v9' }, { name: 'istio-proxy', image: 'x' }] } } });

  it('pointers remove fields from the expected side before comparison', () => {
    expect(compareObjects(stale, liveDeployment(), { ignore: ['/spec/replicas'] }).map((d) => d.field)).toEqual([
      'spec.template.spec.containers[name=server].image',
      'spec.template.spec.containers[name=istio-proxy].image',
    ]);
  });

  it('pointers select list items by key=value, index or *', () => {
    const fields = (ignore: string[]) => compareObjects(stale, liveDeployment(), { ignore }).map((d) => d.field);
    expect(fields(['/spec/replicas', '/spec/template/spec/containers/name=istio-proxy/image'])).toEqual(['spec.template.spec.containers[name=server].image']);
    expect(fields(['/spec/replicas', '/spec/template/spec/containers/1'])).toEqual(['spec.template.spec.containers[name=server].image']);
    expect(fields(['/spec/replicas', '/spec/template/spec/containers/*/image'])).toEqual([]);
  });

  it('~1 and ~0 unescape to / and ~', () => {
    const expected = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '9', 'a~b': 'x' } } };
    expect(compareObjects(expected, liveDeployment(), { ignore: ['/metadata/annotations/deployment.kubernetes.io~1revision', '/metadata/annotations/a~0b'] })).toEqual([]);
  });

  it('does not change the expected object it is given', () => {
    const expected = deployment({ replicas: 5 });
    compareObjects(expected, liveDeployment(), { ignore: ['/spec/replicas'], replicasManagedByHpa: true });
    expect(expected).toEqual({ spec: { replicas: 5 } });
  });

  it('spec.replicas is not compared while an HPA scales the object', () => {
    expect(compareObjects(deployment({ replicas: 5 }), liveDeployment(), { replicasManagedByHpa: true })).toEqual([]);
    expect(compareObjects(deployment({ replicas: 5 }), liveDeployment(), { replicasManagedByHpa: false })).toHaveLength(1);
  });
});

describe('field paths and patterns', () => {
  it('formats keys and items', () => {
    expect(formatPath([{ key: 'spec' }, { key: 'ports' }, { item: 'port=80,protocol=TCP' }, { key: 'target port' }])).toBe('spec.ports[port=80,protocol=TCP]["target port"]');
  });

  it('matches ** , * and []', () => {
    const path = [{ key: 'spec' }, { key: 'template' }, { key: 'spec' }, { key: 'containers' }, { item: 'name=a' }, { key: 'ports' }];
    expect(matchesPattern('**.containers[].ports', path)).toBe(true);
    expect(matchesPattern('spec.*.spec.containers[].ports', path)).toBe(true);
    expect(matchesPattern('**.containers', path)).toBe(false);
    expect(matchesPattern('containers[].ports', path)).toBe(false);
  });
});
