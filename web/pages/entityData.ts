/** The entity page's query and the blast radius filtered by relations, cut to what is drawn. */


const FIELDS = `ref kind name namespace title criticality lifecycle file ownerRef owner { ref title }
  labels { key value } neighbours { name direction ref relation }
  impact(depth: $depth) { count entities { ref kind distance via entity { criticality neighbours @include(if: $hops) { ref relation } } } }`;

export const ENTITY_NOW = `query Entity($ref: String!, $depth: Int, $hops: Boolean!) { commit entity(ref: $ref) { ${FIELDS} } }`;
export const ENTITY_AT = `query EntityAt($ref: String!, $depth: Int, $hops: Boolean!, $at: String!) { catalog(at: $at) { commit { sha committedAt } entity(ref: $ref) { ${FIELDS} } } }`;

export interface Impacted {
  ref: string;
  kind: string;
  distance: number;
  via: string[];
  entity: { criticality: string | null; neighbours?: Array<{ ref: string; relation: string }> } | null;
}
export interface EntityData {
  ref: string;
  kind: string;
  name: string;
  namespace: string;
  title: string | null;
  criticality: string | null;
  lifecycle: string | null;
  file: string;
  ownerRef: string | null;
  owner: { ref: string; title: string | null } | null;
  labels: Array<{ key: string; value: string }>;
  neighbours: Array<{ name: string; direction: string; ref: string; relation: string }>;
  impact: { count: number; entities: Impacted[] };
}

/** An impacted entity with the relations of its last hop (from its predecessor on `via`; known only when the query asked for `neighbours`, i.e. with a relation filter). */
export interface Reached extends Impacted {
  from: string;
  relations: string[];
}

/**
 * The impacted entities reached through `relations` only: an entity stays when
 * a relation of its last hop is one of them and its predecessor stays (or is
 * the root). Impact lists entities by distance, so predecessors come first.
 * Without `relations` everything stays (and the hops are not read: asking
 * every reached entity for its neighbours is what makes a large radius slow).
 */
export function filterByRelations(entities: readonly Impacted[], root: string, relations: ReadonlySet<string> | undefined): Reached[] {
  const kept = new Set([root]);
  const out: Reached[] = [];
  for (const e of entities) {
    const from = e.via[e.via.length - 1] ?? root;
    if (!relations) {
      out.push({ ...e, from, relations: [] });
      continue;
    }
    const hop = [...new Set((e.entity?.neighbours ?? []).filter((n) => n.ref === from).map((n) => n.relation))].sort();
    if (!kept.has(from)) continue;
    if (relations && !hop.some((r) => relations.has(r))) continue;
    kept.add(e.ref);
    out.push({ ...e, from, relations: hop });
  }
  return out;
}
