import { fullRef, makeComponent, makeResource, pickDependencies, shortRef } from './model.ts';
import type { BenchCatalog, BenchEntity } from './model.ts';
import type { Random } from './random.ts';

/** The second commit: new versions of modified entities, added entities, removed entities. */
export interface ChangePlan {
  modified: BenchEntity[];
  added: BenchEntity[];
  removed: BenchEntity[];
}

/** Size of the change commit: 45 Components + 5 Resources modified; 8 Components + 2 Resources added; 5 Components removed. */
export const CHANGE_SIZE = { modifiedComponents: 45, modifiedResources: 5, addedComponents: 8, addedResources: 2, removed: 5 } as const;
/** The change of a catalog of fewer than 100 entities: one of each. */
const SMALL_CHANGE_SIZE: Record<keyof typeof CHANGE_SIZE, number> = { modifiedComponents: 1, modifiedResources: 1, addedComponents: 1, addedResources: 1, removed: 1 };

const changeSize = (catalog: BenchCatalog) => (allCount(catalog) < 100 ? SMALL_CHANGE_SIZE : CHANGE_SIZE);
const allCount = (catalog: BenchCatalog): number => Object.values(catalog.counts).reduce((a, b) => a + b, 0);

const CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;

/** Full refs of every Component some entity's dependsOn names. */
function referencedComponents(catalog: BenchCatalog): Set<string> {
  const refs = new Set<string>();
  for (const list of Object.values(catalog.byKind)) {
    for (const entity of list) {
      for (const ref of (entity.spec.dependsOn as string[] | undefined) ?? []) {
        if (ref.startsWith('component:')) refs.add(`component:default/${ref.slice('component:'.length)}`);
      }
    }
  }
  return refs;
}

/** `count` distinct elements of `items`, chosen without replacement. */
function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) {
    const i = random.int(pool.length);
    out.push(pool[i]);
    pool[i] = pool[pool.length - 1];
    pool.pop();
  }
  return out;
}

function changeCriticality(entity: BenchEntity, random: Random): void {
  const others = CRITICALITIES.filter((c) => c !== entity.spec.criticality);
  entity.spec.criticality = random.pick(others);
}

function changeLabels(entity: BenchEntity, random: Random): void {
  entity.labels.version = `v${random.between(2, 9)}`;
}

/** Drops the last dependency (30% when there is one) or adds one that is lower-indexed and not removed. */
function changeDependencies(entity: BenchEntity, catalog: BenchCatalog, random: Random, removed: ReadonlySet<string>): void {
  const deps = [...((entity.spec.dependsOn as string[] | undefined) ?? [])];
  if (deps.length > 0 && random.chance(0.3)) {
    deps.pop();
  } else {
    for (let attempt = 0; attempt < 100; attempt++) {
      const extra = pickDependencies(entity.index, catalog, random, removed).find((ref) => !deps.includes(ref));
      if (extra) {
        deps.push(extra);
        break;
      }
    }
  }
  if (deps.length > 0) entity.spec.dependsOn = deps;
  else delete entity.spec.dependsOn;
  if (!entity.spec.dependsOn) return;
  // Keep spec key order stable: dependsOn before runsOn.
  const runsOn = entity.spec.runsOn;
  if (runsOn) {
    delete entity.spec.runsOn;
    entity.spec.runsOn = runsOn;
  }
}

/** New versions of modified Components: criticality, dependsOn and labels changes in turn. */
function modifyComponents(catalog: BenchCatalog, random: Random, removed: ReadonlySet<string>): BenchEntity[] {
  const candidates = catalog.byKind.Component.filter((e) => !removed.has(fullRef(e)));
  return sample(candidates, changeSize(catalog).modifiedComponents, random).map((original, i) => {
    const entity = structuredClone(original);
    if (i % 3 === 0) changeCriticality(entity, random);
    else if (i % 3 === 1) changeDependencies(entity, catalog, random, removed);
    else changeLabels(entity, random);
    return entity;
  });
}

function modifyResources(catalog: BenchCatalog, random: Random): BenchEntity[] {
  return sample(catalog.byKind.Resource, changeSize(catalog).modifiedResources, random).map((original, i) => {
    const entity = structuredClone(original);
    if (i % 2 === 0) changeCriticality(entity, random);
    else changeLabels(entity, random);
    return entity;
  });
}

/** New entities after the last index of each kind; the first added Component depends on the first added Resource. */
function addEntities(catalog: BenchCatalog, random: Random, removed: ReadonlySet<string>): BenchEntity[] {
  const { counts } = catalog;
  const resources = Array.from({ length: changeSize(catalog).addedResources }, (_, i) => makeResource(counts.Resource + i, catalog, random));
  const components = Array.from({ length: changeSize(catalog).addedComponents }, (_, i) =>
    makeComponent(counts.Component + i, catalog, random, removed),
  );
  const first = components[0];
  const deps = (first.spec.dependsOn as string[] | undefined) ?? [];
  const { runsOn, ...rest } = first.spec;
  first.spec = { ...rest, dependsOn: [...deps, shortRef('Resource', resources[0].index)], ...(runsOn ? { runsOn } : {}) };
  return [...resources, ...components];
}

/**
 * Plans the change commit. Removed entities are Components nobody depends on in
 * the base, and nothing modified or added references them, so the head is a
 * valid catalog. Modified and removed sets are disjoint.
 */
export function planChange(catalog: BenchCatalog, random: Random): ChangePlan {
  const referenced = referencedComponents(catalog);
  const unreferenced = catalog.byKind.Component.filter((e) => !referenced.has(fullRef(e)));
  const size = changeSize(catalog);
  const removed = sample(unreferenced, size.removed, random);
  if (removed.length < size.removed) throw new Error(`only ${removed.length} removable components`);
  const removedRefs = new Set(removed.map(fullRef));
  const modified = [...modifyComponents(catalog, random, removedRefs), ...modifyResources(catalog, random)];
  const added = addEntities(catalog, random, removedRefs);
  return { modified, added, removed };
}

