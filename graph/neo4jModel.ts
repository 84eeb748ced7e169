import { RELATION_TYPES, RELATIONSHIP_TYPE } from '../catalog/relations.ts';
import { CRITICALITIES, type Criticality, type RelationType } from '../catalog/types.ts';
import type { GraphNode } from './GraphStore.ts';

/**
 * How a graph is laid out in Neo4j (docs/graph-model.md): one `Entity` node
 * per entity, also labelled by kind; one relationship per distinct relation,
 * typed by RELATIONSHIP_TYPE; one `CmdbSync` marker node.
 */

export const ENTITY_LABEL = 'Entity';
export const MARKER_LABEL = 'CmdbSync';
/** `id` of the marker node. */
export const MARKER_ID = 'graph';
/** Prefix of the flattened label properties: `label_tier` holds `metadata.labels.tier`. */
export const LABEL_PREFIX = 'label_';

/** Labels of the built-in kinds, as their schemas spell them. */
const BUILTIN_LABELS: ReadonlyMap<string, string> = new Map(
  ['API', 'ChangePolicy', 'ChangeWindow', 'CIClass', 'Cluster', 'Component', 'Domain', 'Group', 'Host', 'Network', 'Resource', 'System', 'User'].map(
    (label) => [label.toLowerCase(), label],
  ),
);

/**
 * The Neo4j label of a kind: the schema's spelling for built-in kinds, else the
 * kind with its first letter upper-cased and anything outside [A-Za-z0-9_]
 * replaced by `_` (`loadbalancer` -> `Loadbalancer`). Never `Entity` or `CmdbSync`.
 * Safe to splice into Cypher.
 */
export function kindLabel(kind: string): string {
  const builtin = BUILTIN_LABELS.get(kind.toLowerCase());
  if (builtin !== undefined) return builtin;
  const clean = kind.toLowerCase().replace(/[^A-Za-z0-9_]/g, '_');
  const label = /^[a-z]/.test(clean) ? clean[0].toUpperCase() + clean.slice(1) : `Kind_${clean}`;
  return label === ENTITY_LABEL || label === MARKER_LABEL ? `Kind_${label}` : label;
}

/** Relation of each relationship type. */
const RELATION_OF_TYPE: ReadonlyMap<string, RelationType> = new Map(RELATION_TYPES.map((r) => [RELATIONSHIP_TYPE[r], r]));

/** The relation a relationship type stands for, undefined for types this project does not write. */
export const relationOfType = (type: string): RelationType | undefined => RELATION_OF_TYPE.get(type);

/** Relationship types of the known relations among `relations` (all when undefined), in table order, distinct. */
export function relationshipTypes(relations: readonly RelationType[] | undefined): string[] {
  return RELATION_TYPES.filter((r) => relations === undefined || relations.includes(r)).map((r) => RELATIONSHIP_TYPE[r]);
}

/** A node's properties: GraphNode fields (labels as a JSON string) plus one `label_<key>` per label. */
export function nodeProperties(node: GraphNode): Record<string, string> {
  const props: Record<string, string> = {
    ref: node.ref,
    kind: node.kind,
    namespace: node.namespace,
    name: node.name,
    labels: JSON.stringify(node.labels),
    file: node.file,
    commit: node.commit,
  };
  if (node.title !== undefined) props.title = node.title;
  if (node.criticality !== undefined) props.criticality = node.criticality;
  if (node.lifecycle !== undefined) props.lifecycle = node.lifecycle;
  if (node.owner !== undefined) props.owner = node.owner;
  for (const [key, value] of Object.entries(node.labels)) props[LABEL_PREFIX + key] = String(value);
  return props;
}

/** Cypher map projection of node `n` read back by graphNodeOf. */
export const NODE_PROJECTION = 'n {.ref, .kind, .namespace, .name, .title, .criticality, .lifecycle, .owner, .labels, .file, .commit}';

/** The GraphNode of a NODE_PROJECTION map (absent properties come back as null). */
export function graphNodeOf(map: Record<string, unknown>): GraphNode {
  const node: GraphNode = {
    ref: String(map.ref),
    kind: String(map.kind),
    namespace: String(map.namespace),
    name: String(map.name),
    labels: parseLabels(map.labels),
    file: String(map.file),
    commit: String(map.commit),
  };
  if (typeof map.title === 'string') node.title = map.title;
  if (CRITICALITIES.includes(map.criticality as Criticality)) node.criticality = map.criticality as Criticality;
  if (typeof map.lifecycle === 'string') node.lifecycle = map.lifecycle;
  if (typeof map.owner === 'string') node.owner = map.owner;
  return node;
}

function parseLabels(text: unknown): Record<string, string> {
  if (typeof text !== 'string') return {};
  const parsed: unknown = JSON.parse(text);
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
}

/**
 * Items by key, in first-seen order of the keys and, within a key, of the
 * items: the rows of one statement share a kind label or a relationship type.
 */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
