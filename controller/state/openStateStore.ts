import type { Neo4jClientOptions } from '../../graph/neo4jClient.ts';
import { FileStateStore } from './FileStateStore.ts';
import type { StateStore } from './StateStore.ts';

/**
 * The state store configured: Neo4j when settings are given (the graph's
 * server), else the append-only file in `dir`. The Neo4j store (and with it
 * neo4j-driver) is loaded only when configured.
 */
export async function openStateStore(options: { dir: string; neo4j?: Neo4jClientOptions; readOnly?: boolean }): Promise<StateStore> {
  if (!options.neo4j) return new FileStateStore({ dir: options.dir, readOnly: options.readOnly });
  const { Neo4jStateStore } = await import('./Neo4jStateStore.ts');
  return new Neo4jStateStore(options.neo4j);
}
