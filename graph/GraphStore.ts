import type { Criticality, RefString, RelationType, Snapshot } from '../catalog/types.ts';

/** An entity as the graph keeps it: enough to answer queries without the catalog. */
export interface GraphNode {
  ref: RefString;
  kind: string; // lower case
  namespace: string; // lower case, as in ref
  name: string; // lower case, as in ref
  title?: string;
  criticality?: Criticality;
  lifecycle?: string;
  /** Target of the entity's ownedBy relation in the snapshot (the smallest if several), even when dangling. */
  owner?: RefString;
  labels: Record<string, string>;
  file: string;
  /**
   * Commit at which the node was last written: the snapshot's commit after
   * load(); after applyDiff(), head's commit for nodes added or changed by the
   * diff and the previous value for the others. A node is changed when any
   * other field of its GraphNode differs.
   */
  commit: string;
}

export type Direction = 'out' | 'in' | 'both';

export interface Neighbour {
  ref: RefString;
  relation: RelationType;
  /** `out`: this entity is the relation's source; `in`: its target. */
  direction: 'out' | 'in';
}

export interface ImpactedEntity {
  ref: RefString;
  kind: string;
  /** Number of hops from the nearest root (>= 1). */
  distance: number;
  /**
   * One shortest path from a root, excluding the entity itself:
   * `via[0]` is the root, `via.length === distance`. Among equally short paths,
   * the lexicographically smallest sequence of refs. (Equivalently: BFS from the
   * sorted roots, layer by layer, expanding a layer in the order of its nodes'
   * paths and a node's successors in ref order; the first discovery wins.)
   */
  via: RefString[];
}

export interface ImpactResult {
  /** Normalized roots that exist in the graph, sorted. */
  roots: RefString[];
  /** Sorted by distance, then ref. Roots themselves are never listed. */
  entities: ImpactedEntity[];
}

export interface ImpactOptions {
  /** Maximum distance; undefined means unlimited. */
  depth?: number;
}

export interface PathOptions {
  /** Relations to follow (default: all; an empty list follows none). */
  relations?: readonly RelationType[];
  /** `out` follows edges source -> target only; `both` ignores direction (default). */
  direction?: 'out' | 'both';
}

/**
 * The dependency graph of one commit of the catalog.
 *
 * Every implementation gives identical answers for the same snapshot; the
 * contract suite in tests/graph/contract.ts pins them. Results are sorted so
 * they can be compared as values; strings (refs, relation names, directions)
 * compare by UTF-16 code units, as JavaScript's `<` does.
 *
 * Ref arguments are normalized like catalog references (case-insensitive, a
 * missing namespace is `default`); refs that are not entities of the graph
 * give empty answers (undefined, [], null), never errors.
 */
export interface GraphStore {
  /** Name shown in health checks and errors (`memory`, `neo4j bolt://...`). */
  readonly name: string;
  /**
   * Replaces the whole graph with the snapshot's entities and relations.
   * Relations whose source or target is not an entity are skipped; a relation
   * repeated (same type, source and target) is kept once.
   */
  load(snapshot: Snapshot): Promise<void>;
  /**
   * Brings the store from `base` to `head` by writing only their differences
   * (nodes added, changed or removed; relations added, changed or removed), so
   * that every answer equals that of load(head), except GraphNode.commit of
   * unchanged nodes (see there). Precondition: commit() is base.commit, else a
   * CmdbError `graph-store` is thrown and nothing is written. A store that can
   * be interrupted mid-way (Neo4jGraphStore) is repaired by the next
   * applyDiff() or load(); see its documentation.
   */
  applyDiff(base: Snapshot, head: Snapshot): Promise<void>;
  /** Commit of the last loaded snapshot (or diff head), undefined when empty. */
  commit(): Promise<string | undefined>;
  getEntity(ref: RefString): Promise<GraphNode | undefined>;
  /**
   * Many entities in one call (batched loading, e.g. the API's DataLoader):
   * one answer per ref, in the order given, each what getEntity(ref) answers
   * (undefined for a ref that is no entity). Repeated refs are answered each time.
   */
  getEntities(refs: readonly RefString[]): Promise<Array<GraphNode | undefined>>;
  /**
   * Entities of a kind (case-insensitive; all when undefined), sorted by ref,
   * only those whose ref sorts after `after` when given (keyset paging, stable
   * while the graph changes), then paged (offset default 0, limit default
   * all); `total` counts every match of the kind, whatever `after` is.
   */
  listEntities(options: { kind?: string; after?: RefString; offset?: number; limit?: number }): Promise<{ nodes: GraphNode[]; total: number }>;
  /**
   * Direct neighbours, sorted by relation, direction (`in` before `out`), ref.
   * Direction defaults to `both`; a self-relation is listed both out and in.
   */
  neighbours(ref: RefString, options?: { direction?: Direction; relations?: readonly RelationType[] }): Promise<Neighbour[]>;
  /** Everything reached from the roots along impact-flow directions (see IMPACT_FLOW). */
  impact(roots: readonly RefString[], options?: ImpactOptions): Promise<ImpactResult>;
  /**
   * One shortest path, both ends included; the lexicographically smallest among
   * equals; null when none. `from === to` gives `[from]`.
   */
  shortestPath(from: RefString, to: RefString, options?: PathOptions): Promise<RefString[] | null>;
  /**
   * Strongly connected components of the dependsOn relation that contain a
   * cycle (more than one member, or a self-dependency): members sorted, the
   * list sorted by first member.
   */
  dependencyCycles(): Promise<RefString[][]>;
  /** True when the store can answer queries (an empty store can; a closed one cannot). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
