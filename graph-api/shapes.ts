import type { RefString, RelationType, SnapshotDiff } from '../catalog/types.ts';
import type { ChangeReport } from '../controller/report.ts';
import type { GraphNode } from '../graph/GraphStore.ts';
import type { CommitInfo } from './history/commitLog.ts';

/** One relation between two nodes of a neighbourhood. */
export interface NeighbourhoodEdgeShape {
  source: RefString;
  target: RefString;
  relation: RelationType;
}

/** Backing value of `Neighbourhood`. */
export interface NeighbourhoodShape {
  center: GraphNode;
  /** The center first, then by distance, then ref. */
  nodes: GraphNode[];
  distances: ReadonlyMap<RefString, number>;
  edges: NeighbourhoodEdgeShape[];
  truncated: boolean;
}

/** Backing value of `CatalogDiff`. */
export type CatalogDiffShape = SnapshotDiff & { from: CommitInfo; to: CommitInfo };

/** Backing value of `ChangeEvaluation`. */
export type ChangeEvaluationShape = ChangeReport;
