import type { RefString, RelationType } from '../catalog/types.ts';
import type { GraphNode } from '../graph/GraphStore.ts';
import type { ImpactShape, LabelShape } from './builder.ts';
import type { CatalogView } from './context.ts';
import { apiError, badInput } from './errors.ts';
import { resolveRefArgs } from './refArgs.ts';

/** Largest number of refs one `impact` call accepts. */
export const MAX_IMPACT_ROOTS = 1000;

/**
 * Impact of the entities the `refs` argument names (full refs, or names one
 * entity has: resolveRefArg); `missing` lists the refs that are not entities
 * and the names that match none, as typed.
 */
export async function computeImpact(ctx: CatalogView, texts: readonly string[], depth: number | null | undefined): Promise<ImpactShape> {
  if (depth !== null && depth !== undefined && depth < 0) throw badInput(`"depth" must be 0 or more, got ${depth}.`);
  if (texts.length > MAX_IMPACT_ROOTS) throw badInput(`"refs" may hold at most ${MAX_IMPACT_ROOTS} refs, got ${texts.length}.`);
  const { refs: roots, unknown } = await resolveRefArgs(ctx, texts, 'refs');
  const result = await ctx.store.impact(roots, { depth: depth ?? undefined });
  const found = new Set(result.roots);
  return { roots: result.roots, entities: result.entities, missing: [...new Set([...roots.filter((r) => !found.has(r)), ...unknown])].sort() };
}

/**
 * Entities of refs the store just returned, in order. A ref that no longer
 * resolves means the graph was reloaded mid-request: GRAPH_CHANGED, retry.
 */
export async function loadExisting(ctx: CatalogView, refs: readonly RefString[]): Promise<GraphNode[]> {
  const nodes = await Promise.all(refs.map((ref) => ctx.loadEntity(ref)));
  return nodes.map((node, i) => node ?? graphChanged(refs[i]));
}

const graphChanged = (ref: RefString): never => {
  throw apiError(`Entity "${ref}" disappeared while the query ran (the graph was reloaded); retry the query.`, 'GRAPH_CHANGED');
};

/** Entities related to `ref` by `relation` in one direction, sorted by ref. */
export async function relatedEntities(ctx: CatalogView, ref: RefString, direction: 'in' | 'out', relation: RelationType): Promise<GraphNode[]> {
  const neighbours = await ctx.store.neighbours(ref, { direction, relations: [relation] });
  return loadExisting(ctx, [...new Set(neighbours.map((n) => n.ref))]);
}

/** Labels as key/value pairs sorted by key. */
export const labelPairs = (labels: Readonly<Record<string, string>>): LabelShape[] =>
  Object.keys(labels)
    .sort()
    .map((key) => ({ key, value: labels[key] }));
