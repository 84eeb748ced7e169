import { splitRef } from '../catalog/refs.ts';
import { CRITICALITIES, type Criticality, type Entity, type RefString } from '../catalog/types.ts';
import type { GraphNode } from './GraphStore.ts';

/** The GraphNode of an entity; optional fields are omitted when the entity has no valid value. */
export function toGraphNode(entity: Entity, commit: string, owner: RefString | undefined): GraphNode {
  const { kind, namespace, name } = splitRef(entity.ref);
  const node: GraphNode = { ref: entity.ref, kind, namespace, name, labels: { ...entity.metadata.labels }, file: entity.source.file, commit };
  const { title } = entity.metadata;
  const { criticality, lifecycle } = entity.spec;
  if (typeof title === 'string') node.title = title;
  if (CRITICALITIES.includes(criticality as Criticality)) node.criticality = criticality as Criticality;
  if (typeof lifecycle === 'string') node.lifecycle = lifecycle;
  if (owner !== undefined) node.owner = owner;
  return node;
}

/** A copy the caller may change without affecting the store. */
export const copyGraphNode = (node: GraphNode): GraphNode => ({ ...node, labels: { ...node.labels } });
