import type { Neo4jClientOptions } from '../../graph/neo4jClient.ts';
import { FileStateStore } from './FileStateStore.ts';
import { Neo4jStateStore } from './Neo4jStateStore.ts';
import type { StateStore } from './StateStore.ts';

/** The state store configured: Neo4j when settings are given (the graph's server), else the append-only file in `dir`. */
export function openStateStore(options: { dir: string; neo4j?: Neo4jClientOptions; readOnly?: boolean }): StateStore {
  return options.neo4j ? new Neo4jStateStore(options.neo4j) : new FileStateStore({ dir: options.dir, readOnly: options.readOnly });
}
