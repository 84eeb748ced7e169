import { CRITICALITIES, type Criticality, type Entity, type Snapshot } from '../../catalog/types.ts';
import type { ChangeImpact, ImpactEntry, Step } from '../Evaluation.ts';

const criticalityOf = (e: Entity | undefined): Criticality | undefined => {
  const c = e?.spec.criticality;
  return typeof c === 'string' && (CRITICALITIES as readonly string[]).includes(c) ? (c as Criticality) : undefined;
};

/** The highest of the criticalities given, undefined when none. */
export function maxCriticality(values: Iterable<Criticality | undefined>): Criticality | undefined {
  let best: number = CRITICALITIES.length;
  for (const v of values) if (v) best = Math.min(best, CRITICALITIES.indexOf(v));
  return CRITICALITIES[best];
}

/** Owner of each entity (its ownedBy relation). */
function ownerIndex(snapshot: Snapshot): Map<string, string> {
  const owners = new Map<string, string>();
  for (const r of snapshot.relations) if (r.type === 'ownedBy' && !owners.has(r.source)) owners.set(r.source, r.target);
  return owners;
}

/**
 * Blast radius: everything reached on the head graph from the added and
 * modified entities (not those themselves), with the highest criticality and
 * the owners of everything changed or reached. Removed entities are judged by
 * the validate step (dangling references), not here.
 */
export const impactStep: Step = async (ev, { graph }) => {
  const head = ev.head!;
  const changes = ev.diff!.changes;
  const roots = changes.filter((c) => c.op !== 'removed').map((c) => c.ref);
  const result = await graph.impact(roots);
  const owners = ownerIndex(head);
  const baseOwners = ownerIndex(ev.base!);
  const entities: ImpactEntry[] = result.entities.map((e) => {
    const entity = head.entities.get(e.ref);
    return { ...e, criticality: criticalityOf(entity), owner: owners.get(e.ref) };
  });
  const touched = changes.map((c) => c.after ?? c.before);
  const allOwners = new Set<string>();
  for (const c of changes) {
    const o = c.op === 'removed' ? baseOwners.get(c.ref) : owners.get(c.ref);
    if (o) allOwners.add(o);
  }
  for (const e of entities) if (e.owner) allOwners.add(e.owner);
  const impact: ChangeImpact = {
    roots: result.roots,
    entities,
    maxCriticality: maxCriticality([...touched.map(criticalityOf), ...entities.map((e) => e.criticality)]),
    owners: [...allOwners].sort(),
  };
  ev.impact = impact;
};
