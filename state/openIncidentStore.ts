import type { Neo4jClientOptions } from '../graph/neo4jClient.ts';
import { FileIncidentStore } from './FileIncidentStore.ts';
import type { IncidentStore } from './IncidentStore.ts';

/**
 * The incident store configured (not yet opened): Neo4j when settings are
 * given, else the journal in the state dir `dir`. The Neo4j store (and with it
 * neo4j-driver) is loaded only when configured.
 */
export async function openIncidentStore(options: { dir: string; neo4j?: Neo4jClientOptions; readOnly?: boolean; store?: string }): Promise<IncidentStore> {
  if (!options.neo4j) return new FileIncidentStore({ dir: options.dir, readOnly: options.readOnly });
  const { Neo4jIncidentStore } = await import('./Neo4jIncidentStore.ts');
  return new Neo4jIncidentStore({ ...options.neo4j, readOnly: options.readOnly, store: options.store });
}
