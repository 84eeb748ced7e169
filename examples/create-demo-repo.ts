import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import git from 'isomorphic-git';
import { parseAllDocuments, type Document } from 'yaml';
import { CmdbError } from '../core/errors.ts';

/** The Acme config repo, as files. */
export const ACME_DIR = fileURLToPath(new URL('./acme/', import.meta.url));
/** Files the `change/scale-cart` branch adds (same layout as the repo). */
export const SCALE_CART_DIR = fileURLToPath(new URL('./changes/scale-cart/', import.meta.url));

export const DEMO_MAIN_BRANCH = 'main';
export const DEMO_CHANGE_BRANCH = 'change/scale-cart';
export const DEMO_AUTHOR = { name: 'Acme Demo', email: 'demo@acme.example' } as const;

/** Fixed commit times (seconds, UTC), so the commit SHAs depend on the content only. */
const MAIN_TIME = Date.UTC(2026, 2, 2, 9, 0, 0) / 1000;
const CHANGE_TIME = Date.UTC(2026, 2, 3, 14, 30, 0) / 1000;

const MAIN_MESSAGE = 'Acme catalog\n\nThe demo config repo of the Acme organisation.\n';
const CHANGE_MESSAGE =
  'Scale the cart\n\n' +
  '- cartservice reserves stock through the new inventoryservice, runs 4 replicas\n' +
  '  and becomes critical\n' +
  '- redis-cart becomes critical\n';

/** The file of the repo the change edits, and the edits. */
const CART_FILE = 'systems/online-boutique/cart.yaml';

export interface DemoRepo {
  /** Absolute path of the work tree (main is checked out). */
  dir: string;
  /** Commit SHA of `main`. */
  main: string;
  /** Commit SHA of `change/scale-cart` (child of `main`). */
  change: string;
}

/** Repo-relative path (forward slashes) -> content. */
type FileMap = Map<string, Uint8Array>;

/**
 * Writes the Acme demo config repo into `dir` with isomorphic-git: `main`
 * holds examples/acme, `change/scale-cart` one commit on top of it. Commits
 * are reproducible (fixed author and times), so calling it again on the same
 * directory finds the same SHAs and leaves the repo as it is; a directory
 * holding an older demo repo is brought up to date; any other non-empty
 * directory is refused.
 */
export async function createDemoRepo(options: { dir: string }): Promise<DemoRepo> {
  const dir = path.resolve(options.dir);
  const unreadable = await prepareDir(dir);

  const mainFiles = await readFiles(ACME_DIR);
  const changeFiles = scaleCart(mainFiles, await readFiles(SCALE_CART_DIR));

  // A main whose commit is missing is this demo's only if it is the commit the demo writes (same SHA, same
  // content): that is found in a scratch repository, so that nothing is written into a directory refused.
  if (unreadable !== undefined && unreadable !== (await scratchMain(mainFiles))) {
    throw new CmdbError(
      `${dir} holds a damaged Git repository (main names commit ${unreadable}, which is missing) that is not this version's Acme demo repo; remove the directory or give another one (CMDB_DEMO_DIR)`,
      { code: 'usage' },
    );
  }
  const main = await commitFiles(dir, mainFiles, [], MAIN_MESSAGE, MAIN_TIME);
  const change = await commitFiles(dir, changeFiles, [main], CHANGE_MESSAGE, CHANGE_TIME);

  const upToDate =
    (await resolve(dir, `refs/heads/${DEMO_MAIN_BRANCH}`)) === main &&
    (await resolve(dir, `refs/heads/${DEMO_CHANGE_BRANCH}`)) === change &&
    (await git.currentBranch({ fs, dir })) === DEMO_MAIN_BRANCH &&
    fs.existsSync(path.join(dir, 'cmdb.yaml'));
  if (!upToDate) {
    await git.writeRef({ fs, dir, ref: `refs/heads/${DEMO_MAIN_BRANCH}`, value: main, force: true });
    await git.writeRef({ fs, dir, ref: `refs/heads/${DEMO_CHANGE_BRANCH}`, value: change, force: true });
    await git.writeRef({ fs, dir, ref: 'HEAD', value: `refs/heads/${DEMO_MAIN_BRANCH}`, symbolic: true, force: true });
    await git.checkout({ fs, dir, ref: DEMO_MAIN_BRANCH, force: true });
  }
  return { dir, main, change };
}

/**
 * Creates `dir` and a repository in it, or checks that it already holds the
 * demo repo. Answers the commit `main` names when that commit is missing (a
 * damaged repository: a copy cut short, a disk that lost objects), for the
 * caller to compare with the commit it writes; undefined otherwise.
 */
async function prepareDir(dir: string): Promise<string | undefined> {
  await fsp.mkdir(dir, { recursive: true });
  const isRepo = fs.existsSync(path.join(dir, '.git'));
  if (!isRepo) {
    const entries = await fsp.readdir(dir);
    if (entries.length > 0) {
      throw new CmdbError(`${dir} is not empty and not a Git repository; give createDemoRepo an empty or new directory`, {
        code: 'usage',
      });
    }
    await git.init({ fs, dir, defaultBranch: DEMO_MAIN_BRANCH });
    return undefined;
  }
  const head = await resolve(dir, `refs/heads/${DEMO_MAIN_BRANCH}`);
  if (head === undefined) return undefined;
  let commit: git.CommitObject;
  try {
    ({ commit } = await git.readCommit({ fs, dir, oid: head }));
  } catch (error) {
    if (error instanceof git.Errors.NotFoundError) return head;
    throw new CmdbError(`${dir}: cannot read commit ${head} of main (${(error as Error).message}); remove the directory or give another one (CMDB_DEMO_DIR)`, { code: 'usage', cause: error });
  }
  if (commit.author.email !== DEMO_AUTHOR.email) {
    throw new CmdbError(`${dir} holds a Git repository that is not the Acme demo repo; give createDemoRepo another directory`, {
      code: 'usage',
    });
  }
  return undefined;
}

async function resolve(dir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, dir, ref });
  } catch {
    return undefined;
  }
}

/** Every file under `root`, keyed by its path relative to `root`. */
async function readFiles(root: string): Promise<FileMap> {
  const files: FileMap = new Map();
  const walk = async (rel: string): Promise<void> => {
    const entries = await fsp.readdir(path.join(root, rel), { withFileTypes: true });
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) files.set(child, await fsp.readFile(path.join(root, child)));
    }
  };
  await walk('');
  return files;
}

/** The files of `change/scale-cart`: main's, with cart.yaml edited and the added files. */
function scaleCart(main: FileMap, added: FileMap): FileMap {
  const files: FileMap = new Map(main);
  for (const [file, content] of added) files.set(file, content);
  const cart = main.get(CART_FILE);
  if (cart === undefined) throw new CmdbError(`the demo repo has no ${CART_FILE}`, { code: 'internal' });
  const docs = parseAllDocuments(Buffer.from(cart).toString('utf8'));
  if (!Array.isArray(docs)) throw new CmdbError(`${CART_FILE} holds no YAML documents`, { code: 'internal' });
  const byName = (name: string): Document => {
    const doc = docs.find((d) => d.getIn(['metadata', 'name']) === name);
    if (doc === undefined) throw new CmdbError(`${CART_FILE} has no entity ${name}`, { code: 'internal' });
    return doc;
  };
  const cartservice = byName('cartservice');
  cartservice.setIn(['spec', 'criticality'], 'critical');
  cartservice.addIn(['spec', 'dependsOn'], 'component:inventoryservice');
  cartservice.setIn(['spec', 'observe', 0, 'kubernetes', 'expect', 'spec', 'replicas'], 4);
  byName('redis-cart').setIn(['spec', 'criticality'], 'critical');
  const text = docs.map((d) => d.toString({ flowCollectionPadding: false })).join('');
  files.set(CART_FILE, Buffer.from(text, 'utf8'));
  return files;
}

/** The commit `main` gets, written in a scratch repository removed after. */
async function scratchMain(files: FileMap): Promise<string> {
  const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'cmdb-demo-scratch-'));
  try {
    await git.init({ fs, dir: scratch, defaultBranch: DEMO_MAIN_BRANCH });
    return await commitFiles(scratch, files, [], MAIN_MESSAGE, MAIN_TIME);
  } finally {
    await fsp.rm(scratch, { recursive: true, force: true });
  }
}

/** Writes the files as blobs and trees and a commit object; refs are not touched. */
async function commitFiles(dir: string, files: FileMap, parent: string[], message: string, time: number): Promise<string> {
  const tree = await writeTree(dir, files);
  const signature = { ...DEMO_AUTHOR, timestamp: time, timezoneOffset: 0 };
  return git.writeCommit({ fs, dir, commit: { message, tree, parent, author: signature, committer: signature } });
}

/** Writes the tree of `files` (paths relative to the tree) and returns its oid. */
async function writeTree(dir: string, files: FileMap): Promise<string> {
  const blobs = new Map<string, Uint8Array>();
  const subtrees = new Map<string, FileMap>();
  for (const [file, content] of files) {
    const slash = file.indexOf('/');
    if (slash < 0) {
      blobs.set(file, content);
    } else {
      const name = file.slice(0, slash);
      const sub = subtrees.get(name) ?? new Map<string, Uint8Array>();
      sub.set(file.slice(slash + 1), content);
      subtrees.set(name, sub);
    }
  }
  const entries: { mode: string; path: string; oid: string; type: 'blob' | 'tree' }[] = [];
  for (const [name, content] of blobs) {
    entries.push({ mode: '100644', path: name, oid: await git.writeBlob({ fs, dir, blob: content }), type: 'blob' });
  }
  for (const [name, sub] of subtrees) {
    entries.push({ mode: '040000', path: name, oid: await writeTree(dir, sub), type: 'tree' });
  }
  return git.writeTree({ fs, dir, tree: entries });
}
