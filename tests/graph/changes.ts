import type { Snapshot } from '../../catalog/types.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import { buildSnapshot, type EntityFixture, type SnapshotFixture } from './fixtures.ts';
import { prng } from './random.ts';

/**
 * Pairs of snapshots (base, head) shaped like CatalogReader.readFrom's: an
 * entity whose fixture entry and declared relations (lines whose source it
 * is) did not change is read from the same blob in both (see buildSnapshot).
 */
export function snapshotPair(baseFixture: SnapshotFixture, headFixture: SnapshotFixture): [Snapshot, Snapshot] {
  return [buildSnapshot(baseFixture), buildSnapshot(headFixture)];
}

/**
 * A random change to a fixture: entities removed, added and changed (title,
 * labels, criticality, lifecycle, owner, file), relations removed and added.
 */
export function mutateFixture(fixture: SnapshotFixture, seed: number, commit: string): SnapshotFixture {
  const next = prng(seed);
  const chance = (p: number) => next() < p;
  const refs = fixture.entities.map((e) => (typeof e === 'string' ? e : e.ref));
  const pick = () => refs[Math.floor(next() * refs.length)];
  const removed = new Set(refs.filter(() => chance(0.05)));
  const entities: (string | EntityFixture)[] = [];
  for (const item of fixture.entities) {
    const entity: EntityFixture = typeof item === 'string' ? { ref: item } : { ...item };
    if (removed.has(entity.ref)) continue;
    if (chance(0.1)) entity.title = `title ${Math.floor(next() * 1000)}`;
    if (chance(0.05)) entity.labels = { tier: chance(0.5) ? 'backend' : 'frontend', [`k${Math.floor(next() * 3)}`]: 'v' };
    if (chance(0.05)) entity.criticality = chance(0.5) ? 'high' : 'low';
    if (chance(0.05)) entity.lifecycle = 'production';
    if (chance(0.05)) entity.owner = `group:ns0/${Math.floor(next() * 5)}`;
    if (chance(0.03)) entity.file = `moved/${entity.ref.replace(/[:/]/g, '-')}.yaml`;
    entities.push(Object.keys(entity).length === 1 ? entity.ref : entity);
  }
  const added = Array.from({ length: 3 + Math.floor(next() * 5) }, (_, i) => `component:new/c${seed}-${i}`);
  entities.push(...added);
  const relations = (fixture.relations ?? []).filter(() => !chance(0.08));
  const types = ['dependsOn', 'partOf', 'runsOn', 'providesApi', 'consumesApi', 'ownedBy', 'memberOf', 'childOf'];
  const ends = [...refs.filter((r) => !removed.has(r)), ...added];
  const end = () => (chance(0.3) ? added[Math.floor(next() * added.length)] : ends[Math.floor(next() * ends.length)]);
  for (let i = 0; i < 25; i++) relations.push(`${end()} ${types[Math.floor(next() * types.length)]} ${chance(0.05) ? pick() : end()}`);
  return { commit, entities, relations };
}

/** Everything a store answers about its whole graph, for comparing two stores. */
export async function everything(store: GraphStore): Promise<unknown> {
  const { nodes, total } = await store.listEntities({});
  const refs = nodes.map((n) => n.ref);
  const sample = refs.filter((_, i) => i % 7 === 0);
  return {
    commit: await store.commit(),
    total,
    nodes,
    neighbours: await Promise.all(refs.map((ref) => store.neighbours(ref))),
    impact: await Promise.all(sample.map((ref) => store.impact([ref]))),
    paths: await Promise.all(sample.map((ref, i) => store.shortestPath(ref, refs[(i * 31) % refs.length]))),
    cycles: await store.dependencyCycles(),
  };
}
