import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { RELATIONSHIP_TYPE } from '../catalog/relations.ts';
import type { Snapshot } from '../catalog/types.ts';
import { CmdbError } from '../core/errors.ts';
import { snapshotEdges, snapshotNodes } from './graphDiff.ts';
import { ENTITY_LABEL, LABEL_PREFIX, MARKER_ID, MARKER_LABEL, groupBy, kindLabel, nodeProperties } from './neo4jModel.ts';

/**
 * The graph of a snapshot as files for Neo4j's own bulk loader,
 * `neo4j-admin database import full`, which writes the store of a database
 * that does not exist yet (or is stopped) without transactions: the way to
 * seed a new, empty Neo4j (docs/graph-model.md, "Seeding an empty Neo4j").
 * The graph is the one Neo4jGraphStore.load() writes: the same nodeProperties,
 * labels, relationships and `field`s (a test compares the two), and the
 * CmdbSync marker at the snapshot's commit, so the first sync after it is
 * incremental.
 *
 * Files: one node CSV per kind label and set of property keys (a CSV header
 * names the columns of every row, and a node has only the properties it has;
 * the first column numbers the node), one relationship CSV per relationship
 * type (the numbers of its ends, its field), the marker's CSV, and
 * `import.args`, the loader's arguments (a picocli @-file).
 */

/**
 * Characters the loader's CSV header parser takes as its own syntax even in a
 * quoted column name (an id group, options), dropping them from the property
 * name: measured with Neo4j 5.26 (`label_f(x){y}:z` became `label_f:z`). A
 * colon is safe: every column names its type, and the last colon separates it.
 */
const HEADER_SYNTAX = /[(){}]/;

/** Name of the arguments file in the export directory. */
export const IMPORT_ARGS_FILE = 'import.args';
/** Where import.args tells the loader to write its report (the loader's default is its working directory). */
export const REPORT_FILE = 'import.report';

export interface Neo4jImportExport {
  /** Absolute path of the directory written. */
  dir: string;
  /** Absolute path of import.args: run `neo4j-admin database import full @<argsFile> <database>`. */
  argsFile: string;
  commit: string;
  nodes: number;
  relationships: number;
  /** The CSV files written, absolute paths. */
  files: string[];
}

/**
 * Writes `snapshot`'s graph into `dir` (created when missing; it must be
 * empty: the files of an earlier export would be imported too, and nothing
 * here deletes what someone else put there).
 */
export async function writeNeo4jImport(snapshot: Snapshot, dirPath: string): Promise<Neo4jImportExport> {
  const dir = resolve(dirPath);
  const args: string[] = [];
  const files: string[] = [];
  const csv = new Csv();
  const write = async (name: string, text: string, arg: string) => {
    const file = join(dir, name);
    await writeTo(file, text);
    files.push(file);
    args.push(argument(`${arg}=${file}`));
  };

  const groups = new Map<string, { label: string; keys: string[]; lines: string[] }>();
  const nodes = snapshotNodes(snapshot);
  // Nodes are numbered for the loader (`--id-type=integer`) by their entity ids (snapshotNodes lists them in
  // that order): relationship rows then hold two numbers, not two refs, and the loader maps numbers to nodes
  // faster (seed 9.9-10.6 s against 10.5-11.5 s, BENCHMARKS.md).
  const { ids } = snapshot.rows;
  for (const [id, node] of nodes.entries()) {
    const props = nodeProperties(node);
    const keys = Object.keys(props);
    const mangled = keys.find((k) => HEADER_SYNTAX.test(k));
    if (mangled !== undefined) {
      throw new CmdbError(
        `${node.ref} has the label key "${mangled.slice(LABEL_PREFIX.length)}": neo4j-admin import reads ( ) { } in a CSV header as its own syntax and would store another property name; seed this catalog with \`cmdb graph sync\` instead`,
        { code: 'usage', file: node.file },
      );
    }
    const label = kindLabel(node.kind);
    const key = `${label}\n${keys.join('\n')}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { label, keys, lines: [] }));
    group.lines.push(`${id},${csv.line(keys.map((k) => props[k]))}`);
  }
  // Only now, after every node passed: a refused label key leaves no directory behind.
  await prepareEmptyDir(dir);
  let n = 0;
  for (const { label, keys, lines } of groups.values()) {
    const header = csv.line([`:ID(${ENTITY_LABEL})`, ...keys.map((k) => `${k}:string`)]);
    await write(`nodes-${++n}-${label}.csv`, header + lines.join(''), `--nodes=${ENTITY_LABEL}:${label}`);
  }
  await write('marker.csv', csv.line(['id:string', 'commit:string']) + csv.line([MARKER_ID, snapshot.commit]), `--nodes=${MARKER_LABEL}`);

  const edges = [...snapshotEdges(snapshot).values()];
  for (const [type, ofType] of groupBy(edges, (e) => RELATIONSHIP_TYPE[e.type])) {
    const header = csv.line([`:START_ID(${ENTITY_LABEL})`, `:END_ID(${ENTITY_LABEL})`, 'field:string']);
    await write(`relationships-${type}.csv`, header + ofType.map((e) => `${ids.get(e.source)},${ids.get(e.target)},${csv.line([e.field])}`).join(''), `--relationships=${type}`);
  }

  args.push('--id-type=integer');
  // The loader's report of bad entries goes next to the files, not into whatever directory it runs in.
  args.push(argument(`--report-file=${join(dir, REPORT_FILE)}`));
  // Values with line breaks need the loader's slower multi-line parsing; other exports keep the fast one.
  // Last, and always written: after a list option (--relationships=... takes
  // several files) the loader would read the database name as one more file.
  args.push(`--multiline-fields=${csv.multiline}`);
  const argsFile = join(dir, IMPORT_ARGS_FILE);
  await writeTo(argsFile, `${args.join('\n')}\n`);
  return { dir, argsFile, commit: snapshot.commit, nodes: nodes.length, relationships: edges.length, files };
}

/** CSV in the loader's default dialect: every field quoted, a quote doubled. */
class Csv {
  /** Whether a field had a line break: the loader must then parse fields across lines. */
  multiline = false;

  /** One line, newline included. */
  line(fields: readonly string[]): string {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      if (!this.multiline && /[\r\n]/.test(field)) this.multiline = true;
      line += `${i === 0 ? '' : ','}"${field.replaceAll('"', '""')}"`;
    }
    return `${line}\n`;
  }
}

/**
 * One argument of an @-file, quoted: picocli splits the file's arguments at
 * whitespace outside quotes and reads a backslash inside them as an escape, so
 * a path with spaces or backslashes stays one argument, unchanged.
 */
function argument(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}


/** Writes a file of the export; a failure (disk full, permissions) names the file and leaves the directory to be emptied by hand. */
async function writeTo(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new CmdbError(`${file}: cannot write the export (${code ?? message}); empty the directory before exporting again`, { code: 'usage' });
  }
}

/**
 * `mkdir -p`, one level at a time: Node 20's `mkdir(dir, { recursive: true })`
 * never settles for a path under /proc (measured: `--out /proc/x` hung),
 * where a plain mkdir fails with ENOENT.
 */
async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return; // a file there fails in readdir, with ENOTDIR
    if (code !== 'ENOENT' || dirname(dir) === dir) throw error;
  }
  await makeDir(dirname(dir));
  await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

async function prepareEmptyDir(dir: string): Promise<void> {
  try {
    await makeDir(dir);
    const entries = await readdir(dir);
    if (entries.length > 0) {
      throw new CmdbError(`${dir}: the export directory must be empty (it holds ${entries.length} entries, e.g. ${entries[0]}): the loader would import every CSV listed, and this command deletes nothing`, { code: 'usage' });
    }
  } catch (error) {
    if (error instanceof CmdbError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    throw new CmdbError(`${dir}: cannot use as the export directory (${code ?? message})`, { code: 'usage' });
  }
}
