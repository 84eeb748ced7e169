import { CatalogReader } from '../catalog/CatalogReader.ts';
import { CmdbError } from '../core/errors.ts';
import { openRepo, type GitImplementation } from '../catalog/git/openRepo.ts';
import { forOption } from './options.ts';
import { parseRefQuery, resolveRefQuery, snapshotRefLookup } from '../catalog/refQuery.ts';
import type { Snapshot } from '../catalog/types.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import type { Neo4jClientOptions } from '../graph/neo4jClient.ts';
import { neo4jFromEnv } from '../server/config.ts';

export interface RepoOptions {
  repo: string;
  git?: GitImplementation;
  cache?: boolean;
}

/** A catalog reader on the repository the options name (`--repo`). */
export async function openCatalog(options: RepoOptions): Promise<CatalogReader> {
  const git = await forOption('--repo', () => openRepo(options.repo, options.git ?? 'auto'));
  return new CatalogReader({ git, cache: options.cache === false ? false : undefined });
}

export interface GraphOptions {
  /** `--neo4j URI`; else CMDB_NEO4J_URI; else the in-memory store. */
  neo4j?: string;
}

/** Neo4j connection settings from the option and the environment, or undefined for the in-memory store (the server's rule, server/config.ts). */
export function neo4jSettings(options: GraphOptions): Neo4jClientOptions | undefined {
  return neo4jFromEnv(options.neo4j);
}

/** The graph store a command uses: Neo4j when configured, else in memory. */
export async function openGraph(options: GraphOptions = {}): Promise<GraphStore> {
  const neo4j = neo4jSettings(options);
  if (!neo4j) return new InMemoryGraphStore({});
  const { Neo4jGraphStore } = await import('../graph/Neo4jGraphStore.ts'); // loads neo4j-driver only when used
  return new Neo4jGraphStore(neo4j);
}

/**
 * Resolves what a user typed to an entity of the snapshot (catalog/refQuery.ts:
 * a full ref, or a partial one exactly one entity matches); a usage error
 * naming the candidates otherwise.
 */
export async function resolveEntityRef(snapshot: Snapshot, text: string): Promise<string> {
  const parsed = parseRefQuery(text);
  if (!parsed.ok) throw new CmdbError(parsed.message, { code: 'entity-not-found' });
  const resolved = await resolveRefQuery(parsed.query, snapshotRefLookup(snapshot), `at commit ${snapshot.commit.slice(0, 12)}`);
  if (!resolved.ok) throw new CmdbError(resolved.message, { code: 'entity-not-found' });
  return resolved.ref;
}
