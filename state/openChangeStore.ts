import type { Neo4jClientOptions } from '../graph/neo4jClient.ts';
import { FileChangeStore } from './FileChangeStore.ts';
import type { ChangeStore } from './ChangeStore.ts';

/**
 * The state store configured: Neo4j when settings are given (the graph's
 * server), else the append-only file in `dir`. The Neo4j store (and with it
 * neo4j-driver) is loaded only when configured.
 */
export async function openChangeStore(options: { dir: string; neo4j?: Neo4jClientOptions; readOnly?: boolean }): Promise<ChangeStore> {
  if (!options.neo4j) return new FileChangeStore({ dir: options.dir, readOnly: options.readOnly });
  const { Neo4jChangeStore } = await import('./Neo4jChangeStore.ts');
  return new Neo4jChangeStore(options.neo4j);
}
