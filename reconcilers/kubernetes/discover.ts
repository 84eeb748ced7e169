import type { RefString } from '../../core/types.ts';
import type { Binding, JsonObject } from '../types.ts';

/** The kinds `cmdb discover kubernetes` looks for. */
export const DISCOVERED_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'v1', kind: 'Service' },
] as const;

/** Namespaces of the cluster's own machinery, skipped unless asked for by name. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/**
 * Labels read into the proposed entity, first present wins (docs/reconcilers.md,
 * Discovery): the entity's name, its system, its owner.
 */
export const WELL_KNOWN_LABELS = {
  name: ['app.kubernetes.io/name', 'app'],
  system: ['app.kubernetes.io/part-of'],
  owner: ['backstage.io/owner', 'app.kubernetes.io/owner', 'owner', 'team'],
} as const;

/** The owner of a proposal no label names: a reviewer replaces it before merging. */
export const UNKNOWN_OWNER = 'unknown-owner';

/** One proposed catalog document and the file it would be committed as. */
export interface Proposal {
  file: string;
  entity: JsonObject;
  /** The live objects it observes, `Kind namespace/name`. */
  objects: string[];
  /** What a reviewer must complete (an owner no label gave). */
  notes: string[];
}

const meta = (o: JsonObject): JsonObject => (o.metadata ?? {}) as JsonObject;
const labelsOf = (o: JsonObject): Record<string, string> => (meta(o).labels ?? {}) as Record<string, string>;
const firstLabel = (o: JsonObject, keys: readonly string[]): string | undefined => keys.map((k) => labelsOf(o)[k]).find((v) => typeof v === 'string' && v !== '');

/** The identity of a live object for "is it bound already". */
export const liveKey = (apiVersion: string, kind: string, namespace: string | undefined, name: string): string => `${apiVersion} ${kind} ${namespace ?? ''}/${name}`;

/** What the bindings of a cluster already observe (`liveKey`). */
export function boundObjects(bindings: readonly Binding[], cluster: RefString): Set<string> {
  const out = new Set<string>();
  for (const b of bindings) if (b.check === 'kubernetes' && b.target.cluster === cluster) out.add(liveKey(b.target.apiVersion, b.target.kind, b.target.namespace, b.target.name));
  return out;
}

/** The part of a live object a binding should expect: images of workloads, ports of services. */
export function expectOf(kind: string, o: JsonObject): JsonObject {
  const spec = (o.spec ?? {}) as JsonObject;
  if (kind === 'Service') {
    const ports = ((spec.ports ?? []) as JsonObject[]).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) }));
    return { spec: { ...(spec.type ? { type: spec.type } : {}), ports } };
  }
  const template = (((spec.template ?? {}) as JsonObject).spec ?? {}) as JsonObject;
  const containers = ((template.containers ?? []) as JsonObject[]).map((c) => ({ name: c.name, image: c.image }));
  return { spec: { ...(kind !== 'DaemonSet' && typeof spec.replicas === 'number' ? { replicas: spec.replicas } : {}), template: { spec: { containers } } } };
}

/**
 * Proposed Component entities for live objects no binding observes: one per
 * namespace and application name (`app.kubernetes.io/name`, else `app`, else
 * the object's name), observing each of its objects, with owner and system
 * from well-known labels. A name the catalog has already gets `-<namespace>`.
 * Pure.
 */
export function proposeEntities(input: {
  cluster: RefString;
  live: readonly { apiVersion: string; kind: string; object: JsonObject }[];
  bound: ReadonlySet<string>;
  taken: (name: string) => boolean;
}): Proposal[] {
  const groups = new Map<string, { namespace: string; app: string; items: { apiVersion: string; kind: string; object: JsonObject }[] }>();
  for (const item of input.live) {
    const m = meta(item.object);
    const namespace = (m.namespace as string | undefined) ?? '';
    const name = m.name as string;
    if (input.bound.has(liveKey(item.apiVersion, item.kind, namespace || undefined, name))) continue;
    if (item.kind === 'Service' && namespace === 'default' && name === 'kubernetes') continue; // the API server's own
    if ((meta(item.object).ownerReferences as unknown[] | undefined)?.length) continue; // managed by something else
    const app = firstLabel(item.object, WELL_KNOWN_LABELS.name) ?? name;
    const key = `${namespace}/${app}`;
    const group = groups.get(key) ?? { namespace, app, items: [] };
    group.items.push(item);
    groups.set(key, group);
  }
  const proposals: Proposal[] = [];
  for (const { namespace, app, items } of [...groups.values()].sort((a, b) => (`${a.namespace}/${a.app}` < `${b.namespace}/${b.app}` ? -1 : 1))) {
    const name = input.taken(app) ? `${app}-${namespace}` : app;
    const owner = items.map((i) => firstLabel(i.object, WELL_KNOWN_LABELS.owner)).find(Boolean);
    const system = items.map((i) => firstLabel(i.object, WELL_KNOWN_LABELS.system)).find(Boolean);
    const observe = items.map((i) => ({
      kubernetes: { cluster: input.cluster, apiVersion: i.apiVersion, kind: i.kind, namespace, name: meta(i.object).name as string, expect: expectOf(i.kind, i.object) },
    }));
    const entity: JsonObject = {
      apiVersion: 'cmdb/v1',
      kind: 'Component',
      metadata: { name, description: `Discovered in ${input.cluster}, namespace ${namespace}` },
      spec: { type: 'service', lifecycle: 'production', owner: owner ?? UNKNOWN_OWNER, ...(system ? { system } : {}), runsOn: [input.cluster], observe },
    };
    proposals.push({
      file: `discovered/${namespace}/${name}.yaml`,
      entity,
      objects: items.map((i) => `${i.kind} ${namespace}/${meta(i.object).name as string}`),
      notes: owner ? [] : [`no owner label (${WELL_KNOWN_LABELS.owner.join(', ')}): set spec.owner`],
    });
  }
  return proposals;
}
