import { CmdbError } from '../../core/errors.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import { syncStore } from '../../graph/syncStore.ts';
import { EXIT } from '../exitCodes.ts';
import { neo4jSettings, openCatalog, openGraph } from '../context.ts';
import type { Output } from '../output.ts';
import { forOption } from '../options.ts';

export interface SyncOptions {
  repo: string;
  ref: string;
  neo4j?: string;
  git: GitImplementation;
  cache: boolean;
}

/** `cmdb graph sync`: brings the Neo4j store to a revision (incrementally from its own commit). */
export async function runGraphSync(o: SyncOptions, io: Output): Promise<number> {
  if (!neo4jSettings(o)) throw new CmdbError('graph sync needs a Neo4j store: pass --neo4j bolt://HOST:PORT or set CMDB_NEO4J_URI', { code: 'usage' });
  const reader = await openCatalog(o);
  const store = await openGraph(o);
  try {
    const r = await syncStore({ reader, store, rev: await forOption('--ref', () => reader.git.resolve(o.ref)) });
    const what = r.mode === 'rebuild' ? `rebuilt with ${r.snapshot.entities.size} entities` : r.mode === 'incremental' ? `applied the diff from ${r.from!.slice(0, 12)}` : 'already up to date';
    io.out(`${store.name}: ${what}; now at ${r.snapshot.commit} (${Math.round(r.ms)} ms)`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
