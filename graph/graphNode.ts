import { splitRef } from '../catalog/refs.ts';
import { CRITICALITIES, type Criticality, type Entity, type EntityFacts, type RefString } from '../catalog/types.ts';
import type { GraphNode } from './GraphStore.ts';

/** A new GraphNode for an entity; optional fields are omitted when the entity has no valid value. */
export function toGraphNode(entity: Entity, commit: string, owner: RefString | undefined): GraphNode {
  return nodeFromFacts(entity.ref, entity.facts, entity.source.file, commit, owner);
}

/** A new GraphNode from an entity's ref, facts and file. */
export function nodeFromFacts(ref: RefString, facts: EntityFacts, file: string, commit: string, owner: RefString | undefined): GraphNode {
  const { kind, namespace, name } = splitRef(ref);
  const { title, criticality, lifecycle, labels } = facts;
  const node: GraphNode = { ref, kind, namespace, name, labels: { ...labels }, file, commit };
  if (typeof title === 'string') node.title = title;
  if (CRITICALITIES.includes(criticality as Criticality)) node.criticality = criticality as Criticality;
  if (typeof lifecycle === 'string') node.lifecycle = lifecycle;
  if (owner !== undefined) node.owner = owner;
  return node;
}
