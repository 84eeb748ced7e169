import type { RefString, RelationType } from '../catalog/types.ts';
import type { Neighbour } from '../graph/GraphStore.ts';
import type { CatalogView } from './context.ts';
import { loadExisting } from './resolvers.ts';
import type { NeighbourhoodEdgeShape, NeighbourhoodShape } from './shapes.ts';

const edgeKey = (e: NeighbourhoodEdgeShape) => `${e.source}\u0000${e.relation}\u0000${e.target}`;

function edgesOf(ref: RefString, neighbours: readonly Neighbour[], into: Map<string, NeighbourhoodEdgeShape>): void {
  for (const n of neighbours) {
    const edge = n.direction === 'out' ? { source: ref, target: n.ref, relation: n.relation } : { source: n.ref, target: ref, relation: n.relation };
    into.set(edgeKey(edge), edge);
  }
}

const byRef = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The entities within `depth` relations of `ref` (either direction; only
 * `relations` when given), breadth first, at most `limit` of them (the center
 * included; a layer that does not fit is cut in ref order and `truncated`
 * set), and every relation between two of them. Null when `ref` is no entity.
 */
export async function neighbourhood(
  view: CatalogView,
  ref: RefString,
  options: { depth: number; limit: number; relations?: readonly RelationType[] },
): Promise<NeighbourhoodShape | null> {
  const center = await view.loadEntity(ref);
  if (!center) return null;
  const distances = new Map<RefString, number>([[center.ref, 0]]);
  const edges = new Map<string, NeighbourhoodEdgeShape>();
  const expand = async (layer: readonly RefString[]) => {
    const lists = await Promise.all(layer.map((r) => view.store.neighbours(r, { direction: 'both', relations: options.relations })));
    layer.forEach((r, i) => edgesOf(r, lists[i], edges));
    return lists;
  };
  let frontier: RefString[] = [center.ref];
  let truncated = false;
  for (let distance = 1; distance <= options.depth && frontier.length > 0 && !truncated; distance++) {
    const lists = await expand(frontier);
    let next = [...new Set(lists.flat().map((n) => n.ref))].filter((r) => !distances.has(r)).sort(byRef);
    if (distances.size + next.length > options.limit) {
      next = next.slice(0, Math.max(0, options.limit - distances.size));
      truncated = true;
    }
    for (const r of next) distances.set(r, distance);
    frontier = next;
  }
  // The relations of the outermost nodes to one another (they were not expanded).
  if (frontier.length > 0) await expand(frontier);
  const order = [...distances.keys()].sort((a, b) => distances.get(a)! - distances.get(b)! || byRef(a, b));
  const nodes = await loadExisting(view, order);
  const inside = [...edges.values()].filter((e) => distances.has(e.source) && distances.has(e.target));
  inside.sort((a, b) => byRef(a.source, b.source) || byRef(a.relation, b.relation) || byRef(a.target, b.target));
  return { center, nodes, distances, edges: inside, truncated };
}
