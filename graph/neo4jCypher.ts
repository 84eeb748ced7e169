import { IMPACT_FLOW, RELATION_TYPES, RELATIONSHIP_TYPE } from '../catalog/relations.ts';
import type { ImpactFlow } from '../catalog/types.ts';
import { ENTITY_LABEL as E, MARKER_LABEL, NODE_PROJECTION } from './neo4jModel.ts';

/**
 * Every Cypher statement of Neo4jGraphStore. Values always travel as
 * parameters; the only text spliced in is labels from kindLabel() and
 * relationship types from RELATIONSHIP_TYPE.
 */

/** Idempotent schema: run before the first write of a store. */
export const SCHEMA: readonly string[] = [
  `CREATE CONSTRAINT cmdb_entity_ref IF NOT EXISTS FOR (n:${E}) REQUIRE n.ref IS UNIQUE`,
  `CREATE CONSTRAINT cmdb_sync_id IF NOT EXISTS FOR (m:${MARKER_LABEL}) REQUIRE m.id IS UNIQUE`,
  'CALL db.awaitIndexes(300)',
];

// ---------------------------------------------------------------- marker

export const READ_MARKER = `MATCH (m:${MARKER_LABEL} {id: $id}) RETURN m.commit AS commit, m.pending AS pending, m.pendingBase AS pendingBase`;
/** Parameters id, commit, pending, pendingBase (null removes a property). */
export const WRITE_MARKER = `MERGE (m:${MARKER_LABEL} {id: $id}) SET m.commit = $commit, m.pending = $pending, m.pendingBase = $pendingBase`;

// ---------------------------------------------------------------- writes

/** Deletes up to $limit entities with their relationships; returns `deleted`. */
export const DELETE_SOME_ENTITIES = `MATCH (n:${E}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted`;

/** $rows: [{ref, props}]; creates or replaces each node (all its properties). `label` from kindLabel(). */
export const upsertNodes = (label: string): string =>
  `UNWIND $rows AS row MERGE (n:${E} {ref: row.ref}) SET n = row.props, n:\`${label}\``;

/**
 * $rows: [props]; creates nodes (load into a graph without entities) and
 * returns `refs` and `ids`, their element ids, in the same order (one
 * aggregation makes both lists). `label` from kindLabel().
 */
export const createNodes = (label: string): string =>
  `UNWIND $rows AS props CREATE (n:${E}:\`${label}\`) SET n = props RETURN collect(n.ref) AS refs, collect(elementId(n)) AS ids`;

/** $rows: refs. */
export const DELETE_NODES = `UNWIND $rows AS ref MATCH (n:${E} {ref: ref}) DETACH DELETE n`;

/** $rows: [{source, target, field}]; `type` from RELATIONSHIP_TYPE. */
export const upsertEdges = (type: string): string =>
  `UNWIND $rows AS row MATCH (a:${E} {ref: row.source}) MATCH (b:${E} {ref: row.target}) ` +
  `MERGE (a)-[r:${type}]->(b) SET r.field = row.field`;

/**
 * $rows: [[source element id, target element id, field]]; creates edges (load,
 * between the nodes createNodes just made) and returns `created`. A seek by
 * element id costs less than one in the ref index, and the arrays pack
 * smaller than maps. `type` from RELATIONSHIP_TYPE.
 */
export const createEdges = (type: string): string =>
  `UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row[0] MATCH (b) WHERE elementId(b) = row[1] ` +
  `CREATE (a)-[:${type} {field: row[2]}]->(b) RETURN count(*) AS created`;

/** $rows: [{source, target}]; `type` from RELATIONSHIP_TYPE. */
export const deleteEdges = (type: string): string =>
  `UNWIND $rows AS row MATCH (:${E} {ref: row.source})-[r:${type}]->(:${E} {ref: row.target}) DELETE r`;

// ---------------------------------------------------------------- reads

export const GET_ENTITY = `MATCH (n:${E} {ref: $ref}) RETURN ${NODE_PROJECTION} AS node`;
/** $refs (normalized refs): the nodes found, each with its ref; refs that are no entity give no row. */
export const GET_ENTITIES = `UNWIND $refs AS ref MATCH (n:${E} {ref: ref}) RETURN ref, ${NODE_PROJECTION} AS node`;
export const COUNT_ALL = `MATCH (n:${E}) RETURN count(n) AS total`;
/** $prefix `kind:`: a kind's refs are the refs with that prefix, a range of the ref index. */
export const COUNT_KIND = `MATCH (n:${E}) WHERE n.ref STARTS WITH $prefix RETURN count(n) AS total`;
/** $after (a ref, '' for the start), $offset, $limit (integers); ordered by the ref index. */
export const PAGE_ALL = `MATCH (n:${E}) WHERE n.ref > $after WITH n ORDER BY n.ref SKIP $offset LIMIT $limit RETURN ${NODE_PROJECTION} AS node`;
export const PAGE_KIND =
  `MATCH (n:${E}) WHERE n.ref STARTS WITH $prefix AND n.ref > $after WITH n ORDER BY n.ref SKIP $offset LIMIT $limit RETURN ${NODE_PROJECTION} AS node`;

const OUT_NEIGHBOURS = `MATCH (:${E} {ref: $ref})-[r]->(m:${E}) WHERE type(r) IN $types RETURN type(r) AS type, 'out' AS direction, m.ref AS ref`;
const IN_NEIGHBOURS = `MATCH (:${E} {ref: $ref})<-[r]-(m:${E}) WHERE type(r) IN $types RETURN type(r) AS type, 'in' AS direction, m.ref AS ref`;

/** $ref, $types; rows type, direction, ref (unsorted). */
export const NEIGHBOURS = {
  out: OUT_NEIGHBOURS,
  in: IN_NEIGHBOURS,
  both: `${OUT_NEIGHBOURS} UNION ALL ${IN_NEIGHBOURS}`,
} as const;

const typesFlowing = (flow: ImpactFlow): string =>
  RELATION_TYPES.filter((r) => IMPACT_FLOW[r] === flow).map((r) => RELATIONSHIP_TYPE[r]).join('|');
const FORWARD = typesFlowing('source-to-target');
const BACKWARD = typesFlowing('target-to-source');

/** The refs of the impact successors of node `x`, as a list expression. */
const impactSuccessors = (x: string): string =>
  `COLLECT { MATCH (${x})-[:${FORWARD}]->(c:${E}) RETURN c.ref AS c UNION MATCH (${x})<-[:${BACKWARD}]-(c:${E}) RETURN c.ref AS c }`;

const quoted = (flow: ImpactFlow): string =>
  RELATION_TYPES.filter((r) => IMPACT_FLOW[r] === flow).map((r) => `'${RELATIONSHIP_TYPE[r]}'`).join(', ');

/**
 * $refs; rows ref, next: every node reached from an existing ref along impact
 * edges in at most `maxSteps` steps (unlimited when Infinity; the refs
 * themselves included) with its impact successors, in one query: a quantified
 * path pattern whose DISTINCT end nodes Neo4j finds without enumerating paths
 * (a breadth-first VarLengthExpand(Pruning)). The end node has no label in
 * the pattern (it is checked after DISTINCT): with `(x:Entity)` the planner,
 * on a small dense graph's statistics, scanned the label for x and joined it
 * to n with VarLengthExpand(Into), which enumerates every path between the
 * two and did not finish on 10 entities with 600 relations.
 */
export function impactReach(maxSteps: number): string {
  if (maxSteps < 1) return `UNWIND $refs AS ref MATCH (x:${E} {ref: ref}) RETURN ref, ${impactSuccessors('x')} AS next`;
  const quantifier = maxSteps === Infinity ? '*' : `{0,${Math.floor(maxSteps)}}`;
  const hop =
    `((a)-[e:${FORWARD}|${BACKWARD}]-(b) WHERE (startNode(e) = a) = (type(e) IN [${quoted('source-to-target')}]))${quantifier}`;
  return `UNWIND $refs AS ref MATCH (n:${E} {ref: ref}) MATCH (n)${hop}(x) WITH DISTINCT x WHERE x:${E} RETURN x.ref AS ref, ${impactSuccessors('x')} AS next`;
}

/**
 * $refs; one row per existing ref: ref, next: its neighbours along `types`
 * (from RELATIONSHIP_TYPE, non-empty): successors (`out`), predecessors (`in`)
 * or both.
 */
export function pathLayer(types: readonly string[], direction: 'out' | 'in' | 'both'): string {
  const [left, right] = direction === 'out' ? ['-', '->'] : direction === 'in' ? ['<-', '-'] : ['-', '-'];
  const step = `(p)${left}[:${types.join('|')}]${right}(c:${E})`;
  return `UNWIND $refs AS ref MATCH (p:${E} {ref: ref}) RETURN ref, COLLECT { MATCH ${step} RETURN DISTINCT c.ref AS c } AS next`;
}

/** dependsOn edges that may lie on a cycle (source has an incoming one, target an outgoing one), by source. */
export const CYCLE_CANDIDATE_EDGES =
  `MATCH (a:${E})-[:DEPENDS_ON]->(b:${E}) ` +
  `WHERE EXISTS { (a)<-[:DEPENDS_ON]-(:${E}) } AND EXISTS { (b)-[:DEPENDS_ON]->(:${E}) } ` +
  'RETURN a.ref AS source, collect(b.ref) AS targets';

export const PING = 'RETURN 1 AS ok';
