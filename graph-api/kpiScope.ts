import type { RefString, Snapshot } from '../catalog/types.ts';

/** How the KPIs' `system` and `owner` filters see an entity, from one snapshot. */
export interface EntityScope {
  /** The System the entity is part of: the first `system:` entity up its partOf relations (itself, for a System). */
  systemOf(ref: RefString): RefString | undefined;
  /** Its `spec.owner` (normalized). */
  ownerOf(ref: RefString): RefString | undefined;
}

const isSystem = (ref: RefString) => ref.startsWith('system:');

const scopes = new WeakMap<Snapshot, EntityScope>();

/** The scope of a snapshot, built once per snapshot (its partOf relations are read once; systems are memoized per entity). */
export function entityScopeOf(snapshot: Snapshot): EntityScope {
  let scope = scopes.get(snapshot);
  if (scope) return scope;
  const wholes = new Map<RefString, RefString[]>();
  for (const r of snapshot.relationsOfTypes(['partOf'])) {
    const list = wholes.get(r.source);
    if (list) list.push(r.target);
    else wholes.set(r.source, [r.target]);
  }
  const systems = new Map<RefString, RefString | undefined>();
  const systemOf = (ref: RefString): RefString | undefined => {
    if (systems.has(ref)) return systems.get(ref);
    // Breadth-first up partOf (a component partOf a system, a resource partOf a component ...); cycles end at seen refs.
    const seen = new Set<RefString>([ref]);
    let level: RefString[] = [ref];
    let found: RefString | undefined;
    while (level.length && found === undefined) {
      const next: RefString[] = [];
      for (const r of level) {
        if (isSystem(r)) {
          found = r;
          break;
        }
        for (const w of (wholes.get(r) ?? []).slice().sort()) if (!seen.has(w)) (seen.add(w), next.push(w));
      }
      level = next;
    }
    systems.set(ref, found);
    return found;
  };
  scope = { systemOf, ownerOf: (ref) => snapshot.factsOf(ref)?.owner };
  scopes.set(snapshot, scope);
  return scope;
}
