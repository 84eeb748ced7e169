import type { Json } from '../types.ts';
import type { PathPattern } from './path.ts';

/**
 * The data the comparison rules read, taken from the Kubernetes API's own
 * OpenAPI annotations (`x-kubernetes-patch-merge-key`,
 * `x-kubernetes-list-map-keys`, `x-kubernetes-int-or-string`, the
 * `resource.Quantity` type). Adding a field is a table row, not code.
 * Patterns: see `PathPattern`. Rows apply to every kind unless `kinds` says.
 */
export interface CompareTables {
  /** Lists of objects matched item by item on these fields, never by position. */
  mergeKeys: readonly MergeKeyRow[];
  /** Fields holding a Kubernetes quantity: compared by value. */
  quantities: readonly PathPattern[];
  /** Fields of type int-or-string: `8080` equals `"8080"` (never `"80%"`). */
  intOrString: readonly PathPattern[];
  /** Lists of scalars that are sets: every expected item must be present, in any order. */
  sets: readonly PathPattern[];
}

export interface MergeKeyRow {
  path: PathPattern;
  /** The fields that together identify an item. */
  key: readonly string[];
  /** Values the server fills in for absent key fields (a port's protocol is TCP). */
  defaults?: Readonly<Record<string, Json>>;
  /** Only for objects of these kinds (Service's `spec.ports` differs from others). */
  kinds?: readonly string[];
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
const inContainers = (suffix: string): PathPattern[] => CONTAINER_LISTS.map((list) => `**.${list}[].${suffix}`);
const rows = (paths: readonly PathPattern[], row: Omit<MergeKeyRow, 'path'>): MergeKeyRow[] => paths.map((path) => ({ path, ...row }));
const TCP = { protocol: 'TCP' } as const;

/** The built-in tables (docs/reconcilers.md lists them). */
export const DEFAULT_TABLES: CompareTables = {
  mergeKeys: [
    ...rows(CONTAINER_LISTS.map((list) => `**.${list}`), { key: ['name'] }),
    ...rows(inContainers('env'), { key: ['name'] }),
    ...rows(inContainers('ports'), { key: ['containerPort', 'protocol'], defaults: TCP }),
    ...rows(inContainers('volumeMounts'), { key: ['mountPath'] }),
    ...rows(inContainers('volumeDevices'), { key: ['devicePath'] }),
    ...rows(inContainers('resizePolicy'), { key: ['resourceName'] }),
    ...rows(inContainers('resources.claims'), { key: ['name'] }),
    { path: '**.volumes', key: ['name'] },
    { path: '**.imagePullSecrets', key: ['name'] },
    { path: '**.hostAliases', key: ['ip'] },
    { path: '**.topologySpreadConstraints', key: ['topologyKey', 'whenUnsatisfiable'] },
    { path: '**.schedulingGates', key: ['name'] },
    { path: '**.resourceClaims', key: ['name'] },
    { path: '**.conditions', key: ['type'] },
    { path: 'metadata.ownerReferences', key: ['uid'] },
    { path: 'spec.ports', key: ['port', 'protocol'], defaults: TCP, kinds: ['Service'] },
  ],
  quantities: [
    '**.resources.requests.*',
    '**.resources.limits.*',
    '**.emptyDir.sizeLimit',
    'spec.overhead.*',
    'spec.capacity.*',
    'spec.hard.*',
    'status.hard.*',
    'status.used.*',
    'status.capacity.*',
    'status.allocatable.*',
    ...['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'].map((f) => `spec.limits[].${f}.*`),
    '**.target.value',
    '**.target.averageValue',
  ],
  intOrString: [
    'spec.ports[].targetPort',
    'spec.strategy.rollingUpdate.maxSurge',
    'spec.strategy.rollingUpdate.maxUnavailable',
    'spec.updateStrategy.rollingUpdate.maxSurge',
    'spec.updateStrategy.rollingUpdate.maxUnavailable',
    'spec.minAvailable',
    'spec.maxUnavailable',
    '**.httpGet.port',
    '**.tcpSocket.port',
    'spec.ingress[].ports[].port',
    'spec.egress[].ports[].port',
  ],
  sets: ['metadata.finalizers'],
};
