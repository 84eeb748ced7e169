import { CmdbError } from '../core/errors.ts';
import { derivedFiles, type RefString, type Relation, type RelationType, type Snapshot, type SnapshotRows } from '../catalog/types.ts';
import { nodeFromFacts, toGraphNode } from './graphNode.ts';
import type { GraphNode } from './GraphStore.ts';

/** A relation as a graph store keeps it: once per (type, source, target), both ends entities. */
export interface GraphEdge {
  type: RelationType;
  source: RefString;
  target: RefString;
  /** The spec field it came from; the smallest when the relation is repeated. */
  field: string;
}

/** What turns the graph of one snapshot into that of another. */
export interface GraphDiff {
  /** Entities of base that head lacks. */
  removedNodes: RefString[];
  /** Nodes of head that base lacks or whose content differs (see sameNodeContent); `commit` is head's. */
  upsertNodes: GraphNode[];
  /** Edges of base that head lacks, except those with an end in removedNodes (deleting the node deletes them). */
  removedEdges: GraphEdge[];
  /** Edges of head that base lacks, or whose field differs. */
  upsertEdges: GraphEdge[];
}

/**
 * Each entity's owner (see GraphIndex.owners): the smallest of its ownedBy
 * relations' targets and the owner its spec names, even one not in the
 * catalog; for every entity, or only those in `only`.
 */
export function snapshotOwners(snapshot: Snapshot, only?: ReadonlySet<RefString>): Map<RefString, RefString> {
  const owners = new Map<RefString, RefString>();
  const rows = snapshot.rows;
  const offer = (ref: RefString, owner: RefString | undefined) => {
    const current = owners.get(ref);
    if (owner !== undefined && (current === undefined || owner < current)) owners.set(ref, owner);
  };
  if (only === undefined) rows.refs.forEach((ref, id) => offer(ref, rows.ownerAt(id)));
  else for (const ref of only) {
    const id = rows.ids.get(ref);
    if (id !== undefined) offer(ref, rows.ownerAt(id));
  }
  for (const r of only === undefined ? snapshot.relations : snapshot.relationsTouching(only)) {
    if (r.type === 'ownedBy' && (only === undefined || only.has(r.source))) offer(r.source, r.target);
  }
  return owners;
}

/** Every entity's GraphNode at the snapshot's commit, in ref order (from its rows: no entity is built). */
export function snapshotNodes(snapshot: Snapshot): GraphNode[] {
  const owners = snapshotOwners(snapshot);
  const rows = snapshot.rows;
  return rows.refs.map((ref, id) => nodeFromFacts(ref, rows.factsAt(id), rows.fileAt(id), snapshot.commit, owners.get(ref)));
}

/** Key of an edge in snapshotEdges. */
export const edgeKey = (type: string, source: RefString, target: RefString): string => `${type} ${source} ${target}`;

/** The distinct relations whose ends are both entities, by edgeKey (of `relations`, default all the snapshot's). */
export function snapshotEdges(snapshot: Pick<Snapshot, 'entities' | 'relations'>, relations: readonly Relation[] = snapshot.relations): Map<string, GraphEdge> {
  const edges = new Map<string, GraphEdge>();
  const { entities } = snapshot;
  for (const r of relations) {
    if (!entities.has(r.source) || !entities.has(r.target)) continue;
    const key = edgeKey(r.type, r.source, r.target);
    const current = edges.get(key);
    if (current === undefined) edges.set(key, { type: r.type, source: r.source, target: r.target, field: r.field });
    else if (r.field < current.field) current.field = r.field;
  }
  return edges;
}

/** Whether two nodes are equal in every field but `commit`. */
export function sameNodeContent(a: GraphNode, b: GraphNode): boolean {
  return (
    a.ref === b.ref &&
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.name === b.name &&
    a.title === b.title &&
    a.criticality === b.criticality &&
    a.lifecycle === b.lifecycle &&
    a.owner === b.owner &&
    a.file === b.file &&
    sameLabels(a.labels, b.labels)
  );
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/**
 * The differences between the graphs of two snapshots.
 *
 * Precondition (true of snapshots read from a repository, whose relations
 * are those their entities' documents declare): an entity read in both
 * snapshots from the same document of the same blob at the same path (when
 * head was derived from base: the same Entity object) declares the same
 * relations in both. A relation is declared in the document of its source or
 * its target (reversed fields), so an edge can only differ if one of its ends
 * is added, removed or re-read: only relations touching those are compared,
 * which keeps a small change to a large catalog fast.
 */
export function diffGraphs(base: Snapshot, head: Snapshot): GraphDiff {
  const replaced = replacedEntities(base, head);
  const touches = (r: Relation) => replaced.has(r.source) || replaced.has(r.target);
  const baseTouching = base.relationsTouching(replaced).filter(touches);
  const headTouching = head.relationsTouching(replaced).filter(touches);
  const removedNodes = [...replaced].filter((ref) => !head.entities.has(ref));
  const removed = new Set(removedNodes);
  const baseEdges = snapshotEdges(base, baseTouching);
  const headEdges = snapshotEdges(head, headTouching);
  const removedEdges: GraphEdge[] = [];
  for (const [key, edge] of baseEdges) {
    if (!headEdges.has(key) && !removed.has(edge.source) && !removed.has(edge.target)) removedEdges.push(edge);
  }
  const upsertEdges: GraphEdge[] = [];
  for (const [key, edge] of headEdges) if (baseEdges.get(key)?.field !== edge.field) upsertEdges.push(edge);
  // An entity's owner can only change if it is replaced or an ownedBy relation from it touches a replaced entity.
  const candidates = new Set(replaced);
  for (const r of [...baseTouching, ...headTouching]) if (r.type === 'ownedBy') candidates.add(r.source);
  return { removedNodes, upsertNodes: changedNodes(base, head, candidates), removedEdges, upsertEdges };
}

/**
 * Refs whose entity is added, removed or re-read (another document, blob or
 * path); when head was derived from base, only those of the files that
 * changed whose Entity object differs.
 */
function replacedEntities(base: Snapshot, head: Snapshot): Set<RefString> {
  const replaced = new Set<RefString>();
  const touched = derivedFiles(base, head);
  if (touched) {
    for (const path of touched) {
      for (const ref of [...(base.files.get(path)?.entities ?? []), ...(head.files.get(path)?.entities ?? [])]) {
        if (base.entities.get(ref) !== head.entities.get(ref)) replaced.add(ref);
      }
    }
    return replaced;
  }
  return replacedRows(base.rows, head.rows);
}

/** replacedEntities over two snapshots' rows: refs of one only, or read from another document, blob or path (a merge of the sorted refs). */
function replacedRows(b: SnapshotRows, h: SnapshotRows): Set<RefString> {
  const replaced = new Set<RefString>();
  let i = 0;
  let j = 0;
  while (i < b.refs.length || j < h.refs.length) {
    if (j >= h.refs.length || (i < b.refs.length && b.refs[i] < h.refs[j])) replaced.add(b.refs[i++]);
    else if (i >= b.refs.length || h.refs[j] < b.refs[i]) replaced.add(h.refs[j++]);
    else {
      const same = b.documentAt(i) === h.documentAt(j) && b.blobAt(i) === h.blobAt(j) && b.fileAt(i) === h.fileAt(j);
      if (!same) replaced.add(h.refs[j]);
      i++;
      j++;
    }
  }
  return replaced;
}

/** Head's nodes among `candidates` that base lacks or whose content differs. */
function changedNodes(base: Snapshot, head: Snapshot, candidates: ReadonlySet<RefString>): GraphNode[] {
  const baseOwners = snapshotOwners(base, candidates);
  const headOwners = snapshotOwners(head, candidates);
  const changed: GraphNode[] = [];
  for (const ref of candidates) {
    const entity = head.entities.get(ref);
    if (entity === undefined) continue;
    const node = toGraphNode(entity, head.commit, headOwners.get(ref));
    const before = base.entities.get(ref);
    if (before === undefined || !sameNodeContent(toGraphNode(before, base.commit, baseOwners.get(ref)), node)) changed.push(node);
  }
  return changed;
}

/** Throws CmdbError `graph-store` unless a store at `current` may apply the diff base -> head. */
export function assertDiffBase(store: string, current: string | undefined, base: Snapshot, head: Snapshot): void {
  if (current === base.commit) return;
  const holds = current === undefined ? 'no commit' : `commit ${current}`;
  throw new CmdbError(
    `cannot apply the diff ${base.commit}..${head.commit} to the graph store ${store}: it holds ${holds}, not the diff's base; load the head snapshot instead`,
    { code: 'graph-store' },
  );
}
