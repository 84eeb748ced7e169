import type { Random } from './random.ts';

/** Kinds the generator writes (all `apiVersion: cmdb/v1`). */
export type BenchKind = 'Group' | 'System' | 'Host' | 'Cluster' | 'Resource' | 'Component';

/** One generated entity; name, path and refs derive from kind and index. */
export interface BenchEntity {
  kind: BenchKind;
  /** Index within its kind (0-based). */
  index: number;
  name: string;
  path: string;
  title: string;
  /** Written in insertion order, block style. */
  labels: Record<string, string>;
  /** Written in insertion order; lists in flow style. Absent optional fields are not written. */
  spec: Record<string, string | string[]>;
}

export type KindCounts = Record<BenchKind, number>;

/** The base catalog: every kind's entities, each list indexed by `BenchEntity.index`. */
export interface BenchCatalog {
  counts: KindCounts;
  byKind: Record<BenchKind, BenchEntity[]>;
}

interface KindLayout {
  top: string;
  folder: string;
  prefix: string;
  title: string;
}

const LAYOUT: Record<BenchKind, KindLayout> = {
  Group: { top: 'groups', folder: 'g', prefix: 'team', title: 'Team' },
  System: { top: 'systems', folder: 'y', prefix: 'sys', title: 'System' },
  Host: { top: 'hosts', folder: 'h', prefix: 'host', title: 'Host' },
  Cluster: { top: 'clusters', folder: 'c', prefix: 'cluster', title: 'Cluster' },
  Resource: { top: 'resources', folder: 'r', prefix: 'res', title: 'Resource' },
  Component: { top: 'services', folder: 's', prefix: 'svc', title: 'Service' },
};

/** Files per folder: `services/s042/svc-042137.yaml`. */
export const FILES_PER_FOLDER = 1000;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `svc-042137` for Component 42137. */
export function entityName(kind: BenchKind, index: number): string {
  return `${LAYOUT[kind].prefix}-${pad(index, 6)}`;
}

/** `services/s042/svc-042137.yaml` for Component 42137. */
export function entityPath(kind: BenchKind, index: number): string {
  const { top, folder } = LAYOUT[kind];
  return `${top}/${folder}${pad(Math.floor(index / FILES_PER_FOLDER), 3)}/${entityName(kind, index)}.yaml`;
}

/** The reference as written in YAML, kind explicit: `component:svc-001234`. */
export function shortRef(kind: BenchKind, index: number): string {
  return `${kind.toLowerCase()}:${entityName(kind, index)}`;
}

/** The normalized reference (`stringifyRef`): `component:default/svc-001234`. */
export function fullRef(entity: Pick<BenchEntity, 'kind' | 'name'>): string {
  return `${entity.kind.toLowerCase()}:default/${entity.name}`;
}

/** Smallest catalog: two groups, a system, a host, a cluster, a resource and four components. */
export const MIN_ENTITIES = 10;

/**
 * How many entities of each kind make up `total` (mostly Components; throws
 * below MIN_ENTITIES). Below 100 (start-up benchmarks), one of each kind
 * besides a department and a team, and one host per cluster.
 */
export function kindCounts(total: number): KindCounts {
  if (!Number.isInteger(total) || total < MIN_ENTITIES) throw new RangeError(`entities must be an integer >= ${MIN_ENTITIES}, got ${total}`);
  if (total < 100) return { Group: 2, System: 1, Host: 1, Cluster: 1, Resource: 1, Component: total - 6 };
  const Cluster = Math.max(2, Math.round(total * 0.0002));
  const counts = {
    Group: Math.max(4, Math.round(total * 0.005)),
    System: Math.max(4, Math.round(total * 0.01)),
    Host: Cluster * 5,
    Cluster,
    Resource: Math.round(total * 0.1),
  };
  const Component = total - Object.values(counts).reduce((a, b) => a + b, 0);
  return { ...counts, Component };
}

function newEntity(kind: BenchKind, index: number, labels: Record<string, string>, spec: BenchEntity['spec']): BenchEntity {
  const name = entityName(kind, index);
  const title = `${LAYOUT[kind].title} ${pad(index, 6)}`;
  return { kind, index, name, path: entityPath(kind, index), title, labels, spec };
}

const CRITICALITY = [['critical', 5], ['high', 15], ['medium', 35], ['low', 45]] as const;
const LIFECYCLE = [['production', 75], ['experimental', 15], ['deprecated', 10]] as const;
const REGIONS = ['eu', 'us', 'ap'] as const;
const DEPENDENCY_COUNT = [[0, 15], [1, 25], [2, 25], [3, 15], [4, 12], [5, 8]] as const;

/** Number of department groups; the other groups are teams whose parent is a department. */
const departments = (counts: KindCounts): number => Math.max(1, Math.round(counts.Group * 0.02));

/** A random team (never a department), as `group:team-000123`. */
function pickTeam(counts: KindCounts, random: Random): string {
  const first = departments(counts);
  return shortRef('Group', first + random.int(counts.Group - first));
}

function makeGroup(index: number, counts: KindCounts): BenchEntity {
  const depts = departments(counts);
  if (index < depts) return newEntity('Group', index, {}, { type: 'department', children: [] });
  return newEntity('Group', index, {}, { type: 'team', parent: shortRef('Group', index % depts), children: [] });
}

function makeSystem(index: number, counts: KindCounts, random: Random): BenchEntity {
  return newEntity('System', index, { region: random.pick(REGIONS) }, { type: 'product', owner: pickTeam(counts, random) });
}

/** The platform team owns all hosts and clusters. */
const platformTeam = (counts: KindCounts): string => shortRef('Group', departments(counts));

function makeHost(index: number, counts: KindCounts): BenchEntity {
  const region = REGIONS[Math.floor(index / 5) % REGIONS.length];
  return newEntity('Host', index, { region }, { type: 'vm', lifecycle: 'production', owner: platformTeam(counts) });
}

/** Cluster c runs on hosts 5c..5c+4 (on the hosts there are per cluster, in a small catalog). */
function makeCluster(index: number, counts: KindCounts): BenchEntity {
  const perCluster = Math.min(5, counts.Host / counts.Cluster);
  const hosts = Array.from({ length: perCluster }, (_, i) => shortRef('Host', index * perCluster + i));
  const spec = { type: 'kubernetes', lifecycle: 'production', owner: platformTeam(counts), runsOn: hosts };
  return newEntity('Cluster', index, { region: REGIONS[index % REGIONS.length] }, spec);
}

const RESOURCE_TYPES = [['database', 40], ['queue', 20], ['cache', 25], ['bucket', 15]] as const;

/** A resource owned by its system's owner; 30% run on a cluster. */
export function makeResource(index: number, catalog: BenchCatalog, random: Random): BenchEntity {
  const { counts } = catalog;
  const system = catalog.byKind.System[random.int(counts.System)];
  const spec: BenchEntity['spec'] = {
    type: random.weighted(RESOURCE_TYPES),
    lifecycle: 'production',
    owner: system.spec.owner as string,
    system: system.name,
    criticality: random.weighted(CRITICALITY),
  };
  if (random.chance(0.3)) spec.runsOn = [shortRef('Cluster', random.int(counts.Cluster))];
  return newEntity('Resource', index, { tier: 'data', region: system.labels.region }, spec);
}

/**
 * 0-5 distinct dependencies of Component `index`: 70% lower-indexed Components
 * (half near it, 30% from the core = lowest 1%, 20% anywhere lower), 30% Resources.
 * Never Components >= index (so dependsOn has no cycles), never anything in `exclude` (full refs).
 */
export function pickDependencies(index: number, catalog: BenchCatalog, random: Random, exclude: ReadonlySet<string> = new Set()): string[] {
  const { counts } = catalog;
  const wanted = random.weighted(DEPENDENCY_COUNT);
  const core = Math.max(1, Math.floor(counts.Component * 0.01));
  const picked = new Set<string>();
  for (let attempt = 0; picked.size < wanted && attempt < wanted * 10; attempt++) {
    let ref: string;
    if (index > 0 && random.chance(0.7)) {
      const mode = random.next();
      const target =
        mode < 0.5 ? Math.max(0, index - 1 - random.int(300)) : mode < 0.8 ? random.int(Math.min(core, index)) : random.int(index);
      ref = shortRef('Component', target);
      if (exclude.has(`component:default/${entityName('Component', target)}`)) continue;
    } else {
      ref = shortRef('Resource', random.int(counts.Resource));
    }
    picked.add(ref);
  }
  return [...picked];
}

/** A component: owner mostly its system's owner, system mostly by locality, 60% run on a cluster. */
export function makeComponent(index: number, catalog: BenchCatalog, random: Random, exclude?: ReadonlySet<string>): BenchEntity {
  const { counts } = catalog;
  const local = Math.min(counts.System - 1, Math.floor((index * counts.System) / counts.Component));
  const system = catalog.byKind.System[random.chance(0.85) ? local : random.int(counts.System)];
  const spec: BenchEntity['spec'] = {
    type: random.weighted([['service', 80], ['website', 10], ['library', 10]] as const),
    lifecycle: random.weighted(LIFECYCLE),
    owner: random.chance(0.8) ? (system.spec.owner as string) : pickTeam(counts, random),
    system: system.name,
    criticality: random.weighted(CRITICALITY),
  };
  const dependsOn = pickDependencies(index, catalog, random, exclude);
  if (dependsOn.length > 0) spec.dependsOn = dependsOn;
  if (random.chance(0.6)) spec.runsOn = [shortRef('Cluster', random.int(counts.Cluster))];
  const tier = random.weighted([['backend', 60], ['frontend', 25], ['data', 15]] as const);
  return newEntity('Component', index, { tier, region: system.labels.region }, spec);
}

/** The base catalog for `total` entities; every reference resolves and dependsOn is acyclic. */
export function planCatalog(total: number, random: Random): BenchCatalog {
  const counts = kindCounts(total);
  const byKind = { Group: [], System: [], Host: [], Cluster: [], Resource: [], Component: [] } as Record<BenchKind, BenchEntity[]>;
  const catalog: BenchCatalog = { counts, byKind };
  for (let i = 0; i < counts.Group; i++) byKind.Group.push(makeGroup(i, counts));
  for (let i = 0; i < counts.System; i++) byKind.System.push(makeSystem(i, counts, random));
  for (let i = 0; i < counts.Host; i++) byKind.Host.push(makeHost(i, counts));
  for (let i = 0; i < counts.Cluster; i++) byKind.Cluster.push(makeCluster(i, counts));
  for (let i = 0; i < counts.Resource; i++) byKind.Resource.push(makeResource(i, catalog, random));
  for (let i = 0; i < counts.Component; i++) byKind.Component.push(makeComponent(i, catalog, random));
  return catalog;
}

/** All entities of a catalog, in a fixed order (groups, systems, hosts, clusters, resources, components). */
export function allEntities(catalog: BenchCatalog): BenchEntity[] {
  return Object.values(catalog.byKind).flat();
}

/** The YAML file of one entity (~15 lines, plain scalars only). */
export function renderEntity(entity: BenchEntity): string {
  const lines = ['apiVersion: cmdb/v1', `kind: ${entity.kind}`, 'metadata:', `  name: ${entity.name}`, `  title: ${entity.title}`];
  const labels = Object.entries(entity.labels);
  if (labels.length > 0) lines.push('  labels:', ...labels.map(([k, v]) => `    ${k}: ${v}`));
  lines.push('spec:');
  for (const [key, value] of Object.entries(entity.spec)) {
    lines.push(`  ${key}: ${Array.isArray(value) ? `[${value.join(', ')}]` : value}`);
  }
  return `${lines.join('\n')}\n`;
}
