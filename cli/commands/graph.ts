import { CmdbError } from '../../core/errors.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import { syncStore } from '../../graph/syncStore.ts';
import { EXIT } from '../exitCodes.ts';
import { neo4jSettings, openCatalog, openGraph } from '../context.ts';
import { forOption } from '../options.ts';
import { violationLines, type Output } from '../output.ts';
import { commitViolations } from '../../controller/commitViolations.ts';

export interface SyncOptions {
  repo: string;
  ref: string;
  neo4j?: string;
  git: GitImplementation;
  cache: boolean;
  /** Exit 1 when the commit has errors (it is synced all the same). */
  strict?: boolean;
}

/**
 * `cmdb graph sync`: brings the Neo4j store to a revision (incrementally from
 * its own commit). A commit with violations is synced (its valid part) and its
 * violations printed as `cmdb validate` prints them; exit 0, or 1 with --strict.
 */
export async function runGraphSync(o: SyncOptions, io: Output): Promise<number> {
  if (!neo4jSettings(o)) throw new CmdbError('graph sync needs a Neo4j store: pass --neo4j bolt://HOST:PORT or set CMDB_NEO4J_URI', { code: 'usage' });
  const reader = await openCatalog(o);
  const store = await openGraph(o);
  try {
    const r = await syncStore({ reader, store, rev: await forOption('--ref', () => reader.git.resolve(o.ref)) });
    const what = r.mode === 'rebuild' ? `rebuilt with ${r.snapshot.entities.size} entities` : r.mode === 'incremental' ? `applied the diff from ${r.from!.slice(0, 12)}` : 'already up to date';
    io.out(`${store.name}: ${what}; now at ${r.snapshot.commit} (${Math.round(r.ms)} ms)`);
    const violations = await commitViolations({ reader, snapshot: r.snapshot, graph: store });
    if (violations.length === 0) return EXIT.ok;
    const errors = violations.filter((v) => v.severity === 'error').length;
    io.out(violationLines(violations));
    io.err(`synced the valid part: ${errors} error(s), ${violations.length - errors} warning(s) in ${r.snapshot.entities.size} entities at ${r.snapshot.commit.slice(0, 12)}`);
    return o.strict && errors > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await store.close();
  }
}
