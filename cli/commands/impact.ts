import { EXIT } from '../exitCodes.ts';
import { neo4jSettings, openCatalog, openGraph, resolveEntityRef } from '../context.ts';
import { CmdbError } from '../../core/errors.ts';
import type { CatalogReader } from '../../catalog/CatalogReader.ts';
import type { Snapshot } from '../../catalog/types.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import type { Output } from '../output.ts';
import { forOption } from '../options.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';

export interface ImpactOptions {
  neo4j?: string;
  repo: string;
  ref?: string;
  depth?: number;
  format: 'text' | 'json';
  git: GitImplementation;
  cache: boolean;
}

/** `cmdb impact REF`: everything an outage or change of REF reaches. */
export async function runImpact(target: string, o: ImpactOptions, io: Output): Promise<number> {
  const reader = await openCatalog(o);
  const graph = await openGraph(o);
  let result;
  let root: string;
  try {
    const snapshot = await loadedSnapshot(reader, graph, o);
    root = await resolveEntityRef(snapshot, target);
    result = await graph.impact([root], { depth: o.depth });
  } finally {
    await graph.close();
  }
  if (o.format === 'json') {
    io.out(JSON.stringify({ roots: result.roots, entities: result.entities.map(({ ref, kind, distance, via }) => ({ ref, kind, distance, via })) }, null, 2));
    return EXIT.ok;
  }
  io.out(`Impact of ${root}: ${result.entities.length} entities`);
  for (const e of result.entities) io.out(`  ${e.ref}  (distance ${e.distance}, via ${e.via.join(' -> ')})`);
  return EXIT.ok;
}

/**
 * The snapshot the store answers for. In memory: --ref (default HEAD), loaded
 * now. Neo4j: the commit it holds (impact never moves a shared graph; a --ref
 * that differs is an error naming `cmdb graph sync`).
 */
async function loadedSnapshot(reader: CatalogReader, graph: GraphStore, o: ImpactOptions): Promise<Snapshot> {
  if (!neo4jSettings(o)) {
    const snapshot = await reader.read(await forOption('--ref', () => reader.git.resolve(o.ref ?? 'HEAD')));
    await graph.load(snapshot);
    return snapshot;
  }
  const at = await graph.commit();
  if (!at) throw new CmdbError(`the Neo4j graph at ${graph.name} is empty: run cmdb graph sync first`, { code: 'graph-store' });
  if (o.ref !== undefined && (await forOption('--ref', () => reader.git.resolve(o.ref!))) !== at)
    throw new CmdbError(`the Neo4j graph is at ${at.slice(0, 12)}, not ${o.ref}: run cmdb graph sync --ref ${o.ref} first, or leave out --neo4j`, { code: 'graph-store' });
  return reader.read(at);
}
