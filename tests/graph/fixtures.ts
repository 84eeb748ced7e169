import { createHash } from 'node:crypto';
import { normalizeRef, splitRef } from '../../catalog/refs.ts';
import { RELATION_TYPES } from '../../catalog/relations.ts';
import { snapshotFromObjects } from '../../catalog/table/snapshotFromObjects.ts';
import type { Criticality, Entity, RefString, Relation, RelationType, Snapshot } from '../../catalog/types.ts';

/** One entity of a fixture; `ref` is `kind:[namespace/]name`. */
export interface EntityFixture {
  ref: string;
  title?: string;
  labels?: Record<string, string>;
  criticality?: string;
  lifecycle?: string;
  /** Becomes `spec.owner` and an ownedBy relation (default kind group). */
  owner?: string;
  /** Default `catalog/<kind>/<namespace>/<name>.yaml`. */
  file?: string;
  apiVersion?: string;
  spec?: Record<string, unknown>;
}

/**
 * A snapshot in brief: entities as refs or objects, relations as
 * `'<source> <relation> <target>'` (refs need a kind; targets may be dangling).
 */
export interface SnapshotFixture {
  commit?: string;
  entities: readonly (string | EntityFixture)[];
  relations?: readonly string[];
}

const DECLARED_KIND: Record<string, string> = { api: 'API', changepolicy: 'ChangePolicy', changewindow: 'ChangeWindow', ciclass: 'CIClass' };

/**
 * Builds a Snapshot directly, without Git or YAML. As in a repository, each
 * file's blob is a hash of what its entities declare (their fixture entries
 * and the relation lines they are the source of), so two snapshots share an
 * entity's definition exactly when nothing it declares changed.
 */
export function buildSnapshot(fixture: SnapshotFixture): Snapshot {
  const commit = fixture.commit ?? 'c0ffee0000000000000000000000000000000000';
  const entities = new Map<RefString, Entity>();
  const relations: Relation[] = [];
  const declared = new Map<RefString, string[]>();
  for (const item of fixture.entities) {
    const spec = typeof item === 'string' ? { ref: item } : item;
    const entity = toEntity(spec);
    if (entities.has(entity.ref)) throw new Error(`fixture lists ${entity.ref} twice`);
    entities.set(entity.ref, entity);
    declared.set(entity.ref, [JSON.stringify(spec)]);
    if (spec.owner !== undefined) relations.push(relation('ownedBy', entity.ref, ref(spec.owner, 'group'), entity.source.file));
  }
  for (const line of fixture.relations ?? []) {
    const r = parseRelation(line);
    relations.push(r);
    declared.get(r.source)?.push(line.trim());
  }
  const byFile = new Map<string, Entity[]>();
  for (const e of entities.values()) byFile.set(e.source.file, [...(byFile.get(e.source.file) ?? []), e]);
  for (const [, list] of byFile) {
    const text = list.map((e) => declared.get(e.ref)!.sort().join('\n')).join('\n---\n');
    const blob = createHash('sha1').update(text).digest('hex');
    list.forEach((e, document) => (e.source = { ...e.source, blob, document }));
  }
  return snapshotFromObjects({ commit, entities: entities.values(), relations });
}

/** `'<source> <relation> <target>'` to a Relation. */
export function parseRelation(line: string): Relation {
  const [source, type, target, ...rest] = line.trim().split(/\s+/);
  if (rest.length > 0 || !RELATION_TYPES.includes(type as RelationType)) throw new Error(`bad fixture relation "${line}"`);
  return relation(type as RelationType, ref(source), ref(target), 'catalog/relations.yaml');
}

/** A normalized ref; throws on a bad fixture ref. */
export function ref(text: string, defaultKind?: string): RefString {
  const normalized = normalizeRef(text, { defaultKind });
  if (normalized === undefined) throw new Error(`bad fixture ref "${text}"`);
  return normalized;
}

function toEntity(spec: EntityFixture): Entity {
  const entityRef = ref(spec.ref);
  const { kind, namespace, name } = splitRef(entityRef);
  const file = spec.file ?? `catalog/${kind}/${namespace}/${name}.yaml`;
  const body: Record<string, unknown> = { ...spec.spec };
  if (spec.criticality !== undefined) body.criticality = spec.criticality;
  if (spec.lifecycle !== undefined) body.lifecycle = spec.lifecycle;
  if (spec.owner !== undefined) body.owner = spec.owner;
  return {
    ref: entityRef,
    apiVersion: spec.apiVersion ?? 'cmdb/v1',
    kind: DECLARED_KIND[kind] ?? kind[0].toUpperCase() + kind.slice(1),
    metadata: { name, namespace, ...(spec.title === undefined ? {} : { title: spec.title }), ...(spec.labels ? { labels: spec.labels } : {}) },
    facts: {
      ...(spec.title === undefined ? {} : { title: spec.title }),
      ...(spec.criticality === undefined ? {} : { criticality: spec.criticality as Criticality }),
      ...(spec.lifecycle === undefined ? {} : { lifecycle: spec.lifecycle }),
      ...(spec.owner === undefined ? {} : { owner: normalizeRef(spec.owner, { defaultKind: 'group', defaultNamespace: namespace }) }),
      ...(spec.labels ? { labels: spec.labels } : {}),
    },
    spec: body,
    source: { file, line: 1, column: 1, blob: `blob-${file}`, document: 0 },
    positions: { '/metadata/name': [3, 9] },
  };
}

function relation(type: RelationType, source: RefString, target: RefString, file: string): Relation {
  return { type, source, target, location: { file, line: 1, column: 1 }, field: type };
}

/** The online-boutique shape: one of each relation type, flows and non-flows. */
export const SHOP: SnapshotFixture = {
  commit: 'aaaa000000000000000000000000000000000001',
  entities: [
    'domain:commerce',
    'system:shop/boutique',
    { ref: 'component:shop/cart', title: 'Cart service', labels: { tier: 'backend' }, criticality: 'high', lifecycle: 'production', owner: 'shop/shop-team', file: 'services/cart.yaml' },
    { ref: 'component:shop/checkout', criticality: 'critical', owner: 'group:shop/shop-team' },
    'component:shop/frontend',
    'resource:shop/redis',
    'api:shop/cart-api',
    'cluster:prod',
    'group:shop/shop-team',
    'group:eng',
    'user:alice',
  ],
  relations: [
    'system:shop/boutique partOf domain:commerce',
    'component:shop/cart partOf system:shop/boutique',
    'component:shop/checkout partOf system:shop/boutique',
    'component:shop/cart dependsOn resource:shop/redis',
    'component:shop/checkout dependsOn component:shop/cart',
    'component:shop/cart providesApi api:shop/cart-api',
    'component:shop/frontend consumesApi api:shop/cart-api',
    'component:shop/cart runsOn cluster:prod',
    'resource:shop/redis runsOn cluster:prod',
    'user:alice memberOf group:shop/shop-team',
    'group:shop/shop-team childOf group:eng',
  ],
};
