import { CatalogReader } from '../catalog/CatalogReader.ts';
import { openRepo } from '../catalog/git/openRepo.ts';
import { FailoverGraphStore } from '../graph/FailoverGraphStore.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import type { ServerConfig } from './config.ts';

/** The catalog reader of the served repository. */
export async function openServedCatalog(config: Pick<ServerConfig, 'repo' | 'git' | 'cache'>): Promise<CatalogReader> {
  return new CatalogReader({ git: await openRepo(config.repo, config.git), cache: config.cache ? undefined : false });
}

/** In memory, or Neo4j answering through an in-memory fallback that keeps the last good state while Neo4j is down. */
export async function openServedGraph(config: Pick<ServerConfig, 'neo4j'>): Promise<GraphStore> {
  if (!config.neo4j) return new InMemoryGraphStore({});
  const { Neo4jGraphStore } = await import('../graph/Neo4jGraphStore.ts'); // neo4j-driver loads only when used
  return new FailoverGraphStore({ primary: new Neo4jGraphStore(config.neo4j), fallback: new InMemoryGraphStore({}) });
}
