import { CmdbError } from '../../core/errors.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import type { CatalogReader } from '../../catalog/CatalogReader.ts';
import type { Snapshot } from '../../catalog/types.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { writeNeo4jImport } from '../../graph/neo4jImport.ts';
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
    return await reportViolations({ reader, snapshot: r.snapshot, graph: store, strict: o.strict, what: 'synced' }, io);
  } finally {
    await store.close();
  }
}

export interface ExportOptions {
  repo: string;
  ref: string;
  out: string;
  git: GitImplementation;
  cache: boolean;
  strict?: boolean;
}

/**
 * `cmdb graph export`: the graph `graph sync` would write, as files for
 * `neo4j-admin database import full`, to seed a new, empty Neo4j without
 * transactions (docs/graph-model.md, "Seeding an empty Neo4j"). A commit
 * with violations is exported (its valid part) and its violations printed, as
 * `graph sync` does.
 */
export async function runGraphExport(o: ExportOptions, io: Output): Promise<number> {
  const reader = await openCatalog(o);
  const snapshot = await reader.read(await forOption('--ref', () => reader.git.resolve(o.ref)));
  const exported = await writeNeo4jImport(snapshot, o.out);
  io.out(`wrote ${exported.nodes} entities and ${exported.relationships} relationships at ${snapshot.commit} to ${exported.dir}`);
  io.out(`seed a new, empty Neo4j database (Neo4j stopped) with: neo4j-admin database import full ${shellWord(`@${exported.argsFile}`)} neo4j`);
  return reportViolations({ reader, snapshot, graph: new InMemoryGraphStore({ snapshot }), strict: o.strict, what: 'exported' }, io);
}

/** `word` as one word for a POSIX shell: as is when it has no special character, else single-quoted. */
const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);

/** Prints a commit's violations as `cmdb validate` does; exit 1 with `strict` when it has errors. */
async function reportViolations(
  o: { reader: CatalogReader; snapshot: Snapshot; graph: GraphStore; strict?: boolean; what: string },
  io: Output,
): Promise<number> {
  const violations = await commitViolations(o);
  if (violations.length === 0) return EXIT.ok;
  const errors = violations.filter((v) => v.severity === 'error').length;
  io.out(violationLines(violations));
  io.err(`${o.what} the valid part: ${errors} error(s), ${violations.length - errors} warning(s) in ${o.snapshot.entities.size} entities at ${o.snapshot.commit.slice(0, 12)}`);
  return o.strict && errors > 0 ? EXIT.failed : EXIT.ok;
}
