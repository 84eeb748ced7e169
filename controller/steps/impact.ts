import { factsOf } from '../../catalog/snapshotQueries.ts';
import { CRITICALITIES, type Criticality, type Entity } from '../../catalog/types.ts';
import { defineStep, type ChangeImpact, type ImpactEntry } from '../Evaluation.ts';

const criticalityOf = (e: Entity | undefined): Criticality | undefined => e?.facts.criticality;

/** The highest of the criticalities given, undefined when none. */
export function maxCriticality(values: Iterable<Criticality | undefined>): Criticality | undefined {
  let best: number = CRITICALITIES.length;
  for (const v of values) if (v) best = Math.min(best, CRITICALITIES.indexOf(v));
  return CRITICALITIES[best];
}

/**
 * Blast radius: everything reached on the head graph (loaded by the load step) from the added and
 * modified entities (not those themselves), with the highest criticality and
 * the owners of everything changed or reached. Removed entities are judged by
 * the validate step (dangling references), not here.
 */
export const impactStep = defineStep({
  name: 'impact',
  reads: ['head', 'diff', 'graph'],
  adds: ['impact'],
  run: async ({ head, diff, graph }) => {
    const changes = diff.changes;
    const roots = changes.filter((c) => c.op !== 'removed').map((c) => c.ref);
    const result = await graph.impact(roots);
    const entities: ImpactEntry[] = result.entities.map((e) => {
      const facts = factsOf(head, e.ref);
      return { ...e, criticality: facts?.criticality, owner: facts?.owner };
    });
    const touched = changes.map((c) => c.after ?? c.before);
    const allOwners = new Set<string>();
    for (const e of [...touched.map((t) => t?.facts.owner), ...entities.map((e) => e.owner)]) if (e) allOwners.add(e);
    const impact: ChangeImpact = {
      roots: result.roots,
      entities,
      maxCriticality: maxCriticality([...touched.map(criticalityOf), ...entities.map((e) => e.criticality)]),
      owners: [...allOwners].sort(),
    };
    return { impact };
  },
});
