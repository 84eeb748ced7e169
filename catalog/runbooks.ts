import { isUtf8 } from 'node:buffer';
import picomatch from 'picomatch';
import type { Document, LineCounter } from 'yaml';
import { CONFIG_FILE, DEFAULT_CONFIG, parseConfig, type CatalogConfig } from './config.ts';
import { isCommitOid, type GitReader, type TreeEntry } from './git/GitReader.ts';
import { parseRefQuery, resolveRefQuery, snapshotRefLookup } from './refQuery.ts';
import type { RefString, Snapshot, Violation } from './types.ts';
import { tooDeepIn, TOO_DEEP_MESSAGE } from './yamlDepth.ts';
import { yaml } from './yamlLib.ts';
import { positionAt, type Position } from './yamlPositions.ts';

/**
 * Runbooks: Markdown files of the config repo linked to entities, by their
 * front matter (`entities: [refs]`) or by an entity's annotation
 * `cmdb.dev/runbook: path/to/file.md` (several paths separated by commas or
 * new lines). Read per commit, cached (a few commits), never thrown: a bad
 * front matter or a ref that names nothing is a warning (rule `runbook`).
 */

/** The annotation naming an entity's runbooks, repository-relative paths. */
export const RUNBOOK_ANNOTATION = 'cmdb.dev/runbook';
export const RUNBOOK_RULE = 'runbook';

/** A runbook as an incident or a pull-request comment lists it (the shape of `state/IncidentRecords.ts` RunbookLink). */
export interface RunbookLink {
  /** Path of the Markdown file in the config repo. */
  path: string;
  title: string;
}

/** A Markdown file of the commit, and the entities its front matter links it to. */
export interface Runbook extends RunbookLink {
  /** Refs resolved on the snapshot, in the order written (each once). */
  entities: RefString[];
}

export interface RunbookIndex {
  readonly commit: string;
  /** Every Markdown file read (title from front matter, first `# heading` or file name), by path. */
  readonly runbooks: readonly Runbook[];
  /** Problems of front matters and of the refs they name: warnings, rule `runbook`. */
  readonly violations: readonly Violation[];
  /**
   * The runbooks of these entities, each once, in the order of the refs given
   * (per ref: front matter links, then annotation links, by path). An
   * annotation naming a file that is not a Markdown file of the commit is
   * left out (the entity's own file may be fixed in the next commit).
   * Reading an annotation builds the entity (about a millisecond each from a
   * cold parse cache on the 100,000-entity benchmark): `annotationsOf` reads
   * those of the first N refs only (default: all).
   */
  forRefs(refs: Iterable<RefString>, options?: { annotationsOf?: number }): RunbookLink[];
}

/** What a Markdown file yields before its refs are resolved on a snapshot (depends on the blob alone). */
interface ParsedFile {
  path: string;
  title: string;
  /** Refs as written, with where. */
  refs: Array<{ text: string; line: number; column: number }>;
  violations: Violation[];
  /** The blob read (set when read from a commit), and whether it was read as a runbook (not too large, UTF-8 text). */
  oid?: string;
  readable?: boolean;
}

/** Parsed Markdown files of one commit, and the settings they were read with. */
interface ParsedCommit {
  files: ParsedFile[];
  violations: Violation[];
  config: CatalogConfig;
}

const MARKDOWN = /\.md$/i;
const LINK_MODES = new Set(['120000', '160000']);

const warning = (file: string, message: string, line = 1, column = 1): Violation => ({ rule: RUNBOOK_RULE, severity: 'warning', message, file, line, column });

/** The file's name without `.md`, as a last-resort title. */
const fileTitle = (path: string) => path.slice(path.lastIndexOf('/') + 1).replace(MARKDOWN, '');

/** The text of the front matter (between a first line `---` and the next `---` or `...` line), its end offset, or a problem. */
function splitFrontMatter(text: string): { yaml: string; bodyStart: number; bodyLine: number } | { unterminated: true } | undefined {
  const first = /^---[ \t]*\r?\n/.exec(text);
  if (!first) return undefined;
  const close = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;
  const rest = text.slice(first[0].length);
  const end = close.exec(rest);
  if (!end) return { unterminated: true };
  const yamlText = rest.slice(0, end.index);
  const bodyStart = first[0].length + end.index + end[0].length;
  return { yaml: yamlText, bodyStart, bodyLine: yamlText.split('\n').length + 2 };
}

/** The first ATX `# heading` outside fenced code, trimmed of closing hashes. */
function firstHeading(body: string): string | undefined {
  let fence: string | undefined;
  for (const line of body.split('\n')) {
    const f = /^\s{0,3}(```|~~~)/.exec(line);
    if (f) {
      if (fence === undefined) fence = f[1];
      else if (f[1] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^\s{0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*\r?$/.exec(line);
    if (h && h[1].trim() !== '') return h[1].trim();
  }
  return undefined;
}

/** Reads one Markdown file: refused when over the size limit, binary or not UTF-8; else its title and front matter refs. */
export function parseRunbook(path: string, content: Buffer, maxBytes: number = DEFAULT_CONFIG.limits.maxFileBytes): ParsedFile {
  const out: ParsedFile = { path, title: fileTitle(path), refs: [], violations: [] };
  if (content.length > maxBytes) {
    out.violations.push(warning(path, `is ${content.length} bytes, over the ${maxBytes}-byte limit (limits.maxFileBytes in cmdb.yaml); not read as a runbook`));
    return out;
  }
  if (content.indexOf(0) >= 0 || !isUtf8(content)) {
    out.violations.push(warning(path, 'is not a UTF-8 text file; not read as a runbook'));
    return out;
  }
  out.readable = true;
  const text = runbookText(content);
  const split = splitFrontMatter(text);
  if (split && 'unterminated' in split) {
    out.violations.push(warning(path, 'front matter starts with --- on line 1 but has no closing --- line'));
    out.title = firstHeading(text) ?? out.title;
    return out;
  }
  out.title = firstHeading(split ? text.slice(split.bodyStart) : text) ?? out.title;
  if (split) readFrontMatter(split.yaml, out);
  return out;
}

/** Title and `entities` of a front matter; its positions are offset by the opening `---` line. */
function readFrontMatter(text: string, out: ParsedFile): void {
  const at = ([line, column]: Position): [number, number] => [line + 1, column];
  const deep = tooDeepIn(text);
  if (deep) return void out.violations.push(warning(out.path, `front matter ${TOO_DEEP_MESSAGE}`, ...at(deep)));
  const counter: LineCounter = new (yaml().LineCounter)();
  const doc: Document = yaml().parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos: Position = e.linePos ? [e.linePos[0].line, e.linePos[0].col] : positionAt(counter, e.pos[0]);
    return void out.violations.push(warning(out.path, `front matter is not valid YAML: ${e.message.split('\n')[0]}`, ...at(pos)));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: DEFAULT_CONFIG.limits.maxAliasCount });
  } catch (e) {
    return void out.violations.push(warning(out.path, `front matter: ${(e as Error).message}`, 2, 1));
  }
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value)) return void out.violations.push(warning(out.path, 'front matter must be a mapping (title, entities)', 2, 1));
  const fm = value as Record<string, unknown>;
  const where = (path: Array<string | number>): [number, number] => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return at(node?.range ? positionAt(counter, node.range[0]) : [1, 1]);
  };
  if (typeof fm.title === 'string' && fm.title.trim() !== '') out.title = fm.title.trim();
  else if (fm.title !== undefined) out.violations.push(warning(out.path, 'front matter title must be a non-empty string', ...where(['title'])));
  const entities = fm.entities;
  if (entities === undefined || entities === null) return;
  const list = typeof entities === 'string' ? [entities] : Array.isArray(entities) ? entities : undefined;
  if (!list) return void out.violations.push(warning(out.path, 'front matter entities must be a list of entity refs', ...where(['entities'])));
  list.forEach((item, i) => {
    const pos = where(typeof entities === 'string' ? ['entities'] : ['entities', i]);
    if (typeof item !== 'string') out.violations.push(warning(out.path, `front matter entities[${i}] must be an entity ref (a string)`, ...pos));
    else out.refs.push({ text: item, line: pos[0], column: pos[1] });
  });
}

/** Reads cmdb.yaml of the commit for its `exclude` globs and size limit (its own problems are the catalog's to report). */
async function configOf(git: GitReader, entries: readonly TreeEntry[]): Promise<CatalogConfig> {
  const entry = entries.find((e) => e.path === CONFIG_FILE && !LINK_MODES.has(e.mode));
  if (!entry) return DEFAULT_CONFIG;
  let text: string | undefined;
  await git.readBlobs([entry.oid], (_, content) => (text = content.toString('utf8')));
  return text === undefined ? DEFAULT_CONFIG : parseConfig(text).config;
}

const markdownOf = (config: CatalogConfig) => {
  const excluded = config.exclude.length ? picomatch(config.exclude, { dot: true }) : () => false;
  return (e: TreeEntry) => MARKDOWN.test(e.path) && !LINK_MODES.has(e.mode) && !excluded(e.path);
};

const byPathOrder = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Reads and parses Markdown files (a blob shared by several paths is read once). */
async function parseEntries(git: GitReader, entries: readonly TreeEntry[], config: CatalogConfig): Promise<ParsedFile[]> {
  const byOid = new Map<string, TreeEntry[]>();
  for (const e of entries) byOid.set(e.oid, [...(byOid.get(e.oid) ?? []), e]);
  const files: ParsedFile[] = [];
  await git.readBlobs([...byOid.keys()], (oid, content) => {
    for (const e of byOid.get(oid) ?? []) files.push({ ...parseRunbook(e.path, content, config.limits.maxFileBytes), oid });
  });
  return files;
}

const parsedOf = (files: ParsedFile[], config: CatalogConfig): ParsedCommit => {
  files.sort(byPathOrder);
  return { files, violations: files.flatMap((f) => f.violations), config };
};

/** Lists the commit's Markdown files (outside cmdb.yaml's `exclude`), reads and parses them. */
async function parseCommit(git: GitReader, commit: string): Promise<ParsedCommit> {
  // Only what is read: git lists the Markdown files and cmdb.yaml, not the 100,000 YAML files.
  const entries = await git.listFiles(commit, { endingWith: ['.md', CONFIG_FILE] });
  const config = await configOf(git, entries);
  return parsedOf(await parseEntries(git, entries.filter(markdownOf(config)), config), config);
}

/** A commit's Markdown files from another commit's: only the files `diffFiles` reports are read (all of them when cmdb.yaml changed). */
async function deriveCommit(git: GitReader, from: ParsedCommit, fromCommit: string, commit: string): Promise<ParsedCommit> {
  const changes = await git.diffFiles(fromCommit, commit);
  if (changes.some((c) => c.path === CONFIG_FILE)) return parseCommit(git, commit);
  const isMarkdown = markdownOf(from.config);
  const files = new Map(from.files.map((f) => [f.path, f]));
  const read: TreeEntry[] = [];
  for (const c of changes) {
    if (!MARKDOWN.test(c.path)) continue;
    files.delete(c.path);
    if (c.entry && isMarkdown(c.entry)) read.push(c.entry);
  }
  return parsedOf([...files.values(), ...(await parseEntries(git, read, from.config))], from.config);
}

/**
 * The Markdown of a runbook at a commit, without its front matter: undefined
 * when the commit has no such Markdown file or it was not read as a runbook
 * (over the size limit, not UTF-8 text). The commit's Markdown files are
 * those readRunbooks reads (the same cache).
 */
export async function readRunbookBody(git: GitReader, commit: string, path: string): Promise<string | undefined> {
  const file = (await parsedCommit(git, commit, undefined)).files.find((f) => f.path === path);
  if (!file?.oid || !file.readable) return undefined;
  let text: string | undefined;
  await git.readBlobs([file.oid], (_, content) => (text = runbookText(content)));
  if (text === undefined) return undefined;
  const split = splitFrontMatter(text);
  return split && !('unterminated' in split) ? text.slice(split.bodyStart) : text;
}

/** A runbook file's text: UTF-8, a leading byte order mark left out. */
const runbookText = (content: Buffer): string => content.toString('utf8').replace(/^\uFEFF/, '');

/** Paths an annotation value names: separated by commas or new lines, `./` and a leading `/` dropped. */
export function annotationPaths(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((p) => p.trim().replace(/^\.\//, '').replace(/^\/+/, ''))
    .filter((p) => p !== '');
}

const byPath = byPathOrder;

class ResolvedIndex implements RunbookIndex {
  readonly commit: string;
  readonly runbooks: Runbook[];
  readonly violations: Violation[];
  private readonly byRef = new Map<RefString, Runbook[]>();
  private readonly byPath: Map<string, Runbook>;
  /** Annotation links by ref, read once per entity asked for. */
  private readonly annotated = new Map<RefString, Runbook[]>();

  constructor(
    private readonly snapshot: Snapshot,
    runbooks: Runbook[],
    violations: Violation[],
  ) {
    this.commit = snapshot.commit;
    this.runbooks = runbooks;
    this.violations = violations;
    this.byPath = new Map(runbooks.map((r) => [r.path, r]));
    for (const r of runbooks) for (const ref of r.entities) this.byRef.set(ref, [...(this.byRef.get(ref) ?? []), r]);
    for (const list of this.byRef.values()) list.sort(byPath);
  }

  forRefs(refs: Iterable<RefString>, options: { annotationsOf?: number } = {}): RunbookLink[] {
    const seen = new Set<string>();
    const out: RunbookLink[] = [];
    let annotated = options.annotationsOf ?? Infinity;
    for (const ref of refs) {
      for (const r of [...(this.byRef.get(ref) ?? []), ...(annotated-- > 0 ? this.annotationsOf(ref) : [])]) {
        if (seen.has(r.path)) continue;
        seen.add(r.path);
        out.push({ path: r.path, title: r.title });
      }
    }
    return out;
  }

  /** The runbooks an entity's annotation names (its entity built only now, only when the commit has Markdown files). */
  private annotationsOf(ref: RefString): Runbook[] {
    if (this.byPath.size === 0) return [];
    let links = this.annotated.get(ref);
    if (links === undefined) {
      const value = this.snapshot.entities.get(ref)?.metadata.annotations?.[RUNBOOK_ANNOTATION];
      links = typeof value === 'string' ? annotationPaths(value).flatMap((p) => this.byPath.get(p) ?? []).sort(byPath) : [];
      this.annotated.set(ref, links);
    }
    return links;
  }
}

/** Resolves the front matter refs of a commit's files on its snapshot; a ref naming nothing (or several) is a warning. */
async function resolve(parsed: ParsedCommit, snapshot: Snapshot): Promise<RunbookIndex> {
  const lookup = snapshotRefLookup(snapshot);
  const where = `at commit ${snapshot.commit.slice(0, 12)}`;
  const violations = [...parsed.violations];
  const runbooks: Runbook[] = [];
  for (const f of parsed.files) {
    const entities: RefString[] = [];
    for (const r of f.refs) {
      const query = parseRefQuery(r.text);
      if (!query.ok) {
        violations.push(warning(f.path, `front matter entities: ${query.message}`, r.line, r.column));
        continue;
      }
      const resolved = await resolveRefQuery(query.query, lookup, where);
      if (!resolved.ok) violations.push(warning(f.path, `front matter entities: ${resolved.message}`, r.line, r.column));
      else if (!entities.includes(resolved.ref)) entities.push(resolved.ref);
    }
    runbooks.push({ path: f.path, title: f.title, entities });
  }
  return new ResolvedIndex(snapshot, runbooks, violations);
}

/** Parsed commits kept per reader (the newest few), and indexes per snapshot. */
const CACHED_COMMITS = 8;
const parsedByReader = new WeakMap<GitReader, Map<string, Promise<ParsedCommit>>>();
const indexBySnapshot = new WeakMap<Snapshot, Promise<RunbookIndex>>();

function parsedCommit(git: GitReader, commit: string, base: string | undefined): Promise<ParsedCommit> {
  let cache = parsedByReader.get(git);
  if (!cache) parsedByReader.set(git, (cache = new Map()));
  let parsed = cache.get(commit);
  if (parsed) {
    cache.delete(commit); // most recently used last
  } else if (base !== undefined && base !== commit) {
    const from = parsedCommit(git, base, undefined);
    parsed = from.then((p) => deriveCommit(git, p, base, commit));
  } else {
    parsed = parseCommit(git, commit);
  }
  const settled = parsed;
  settled.catch(() => cache.get(commit) === settled && cache.delete(commit));
  cache.set(commit, settled);
  while (cache.size > CACHED_COMMITS) cache.delete(cache.keys().next().value!);
  return settled;
}

/**
 * Starts reading a commit's Markdown files (kept like readRunbooks's), so that
 * a readRunbooks deriving from it later finds them read; never throws.
 */
export function prefetchRunbooks(git: GitReader, commit: string): void {
  // Only a commit oid: a name such as a branch could move, and readRunbooks asks by oid.
  if (isCommitOid(commit)) parsedCommit(git, commit, undefined).catch(() => undefined);
}

export interface ReadRunbooksOptions {
  /**
   * A commit to derive from: its Markdown files are read (or taken from the
   * cache) and this commit's are derived by the files that changed. Default:
   * the commit the snapshot was derived from, when there is one.
   */
  base?: string;
}

/**
 * The runbook index of a commit, its front matter refs resolved on the
 * commit's snapshot. Markdown files are read once per commit (the newest 8
 * commits of a reader are kept), derived from the base commit's when there is
 * one (only changed files are read: listing the 100,000-file benchmark commit
 * is what costs), and resolved once per snapshot. Files cmdb.yaml `exclude`s
 * are not read (its `include` names the catalog's YAML files, not Markdown).
 * Throws only when the repository cannot be read.
 */
export function readRunbooks(git: GitReader, commit: string, snapshot: Snapshot, options: ReadRunbooksOptions = {}): Promise<RunbookIndex> {
  const own = snapshot.commit === commit;
  const known = own ? indexBySnapshot.get(snapshot) : undefined;
  if (known) return known;
  const base = options.base ?? snapshot.derivedFrom?.base.deref()?.commit;
  const index = parsedCommit(git, commit, base).then((parsed) => resolve(parsed, snapshot));
  if (own) {
    indexBySnapshot.set(snapshot, index);
    index.catch(() => indexBySnapshot.delete(snapshot));
  }
  return index;
}
