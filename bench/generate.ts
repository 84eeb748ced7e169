import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { CmdbError } from '../core/errors.ts';
import { planChange } from './change.ts';
import type { ChangePlan } from './change.ts';
import { git, gitExit, gitText, spawnGit } from './git.ts';
import { allEntities, fullRef, planCatalog, renderEntity } from './model.ts';
import type { BenchCatalog, BenchEntity, KindCounts } from './model.ts';
import { createRandom } from './random.ts';

/** Bump when the generated content changes, so cached repos are rebuilt. */
export const GENERATOR_VERSION = 1;
/** Branch holding the base commit (HEAD points at it). */
export const BASE_BRANCH = 'main';
/** Branch holding the head commit (the "pull request"). */
export const HEAD_BRANCH = 'change';
/** Name of the marker file inside `.git` describing a complete generated repo. */
export const MARKER_FILE = 'cmdb-bench.json';

export interface GenerateOptions {
  /** Target directory: created if missing; must be empty or hold a repo generated here before. */
  dir: string;
  /** Total entities in the base commit (>= MIN_ENTITIES, 10). */
  entities: number;
  /** PRNG seed (default 1); same seed + entities + GENERATOR_VERSION = same commit SHAs. */
  seed?: number;
  /** Check out the base commit into the work tree (default false: objects and refs only). */
  checkout?: boolean;
}

export interface ChangedFiles<T = string> {
  modified: T[];
  added: T[];
  removed: T[];
}

export interface GeneratedRepo {
  /** Absolute path of the repository (non-bare: objects in `dir/.git`). */
  dir: string;
  /** Base commit SHA (branch `main`). */
  base: string;
  /** Head commit SHA (branch `change`, parent = base). */
  head: string;
  /** Paths changed from base to head, sorted. */
  changed: ChangedFiles;
  /** The same, as normalized entity refs (`component:default/svc-000123`), sorted. */
  changedRefs: ChangedFiles;
  /** Entities per kind in the base commit. */
  counts: KindCounts;
  /** True when an existing generated repo was reused. */
  reused: boolean;
  /** Time the generation took when it ran (ms), or the cached figure when reused. */
  generationMs: number;
}

interface Marker extends Omit<GeneratedRepo, 'dir' | 'reused'> {
  status: 'building' | 'complete';
  generator: number;
  entities: number;
  seed: number;
  checkout: boolean;
}

/** Fixed identity and dates: commit SHAs depend only on content. */
const AUTHOR = 'CMDB Bench <bench@example.invalid>';
const BASE_TIME = 1_700_000_000;
const HEAD_TIME = BASE_TIME + 3600;

/**
 * Generates (or reuses) a config repo of `entities` entities with two commits:
 * base (valid catalog) and head (50 modified, 10 added, 5 removed; still valid).
 */
export async function generateRepo(options: GenerateOptions): Promise<GeneratedRepo> {
  const dir = resolve(options.dir);
  const seed = options.seed ?? 1;
  const checkout = options.checkout ?? false;
  const cached = await reuse(dir, options.entities, seed, checkout);
  if (cached) return cached;
  const start = performance.now();
  await prepareDir(dir);
  await git(dir, ['init', '-q', '-b', BASE_BRANCH]);
  await writeMarker(dir, { status: 'building', generator: GENERATOR_VERSION, entities: options.entities, seed } as Marker);
  const random = createRandom(seed);
  const catalog = planCatalog(options.entities, random);
  const change = planChange(catalog, random);
  await fastImport(dir, catalog, change);
  const base = await gitText(dir, ['rev-parse', `refs/heads/${BASE_BRANCH}`]);
  const head = await gitText(dir, ['rev-parse', `refs/heads/${HEAD_BRANCH}`]);
  if (checkout) await checkoutBase(dir);
  const marker: Marker = {
    status: 'complete',
    generator: GENERATOR_VERSION,
    entities: options.entities,
    seed,
    checkout,
    base,
    head,
    changed: summarize(change, (e) => e.path),
    changedRefs: summarize(change, fullRef),
    counts: catalog.counts,
    generationMs: Math.round(performance.now() - start),
  };
  await writeMarker(dir, marker);
  return toResult(dir, marker, false);
}

function summarize(change: ChangePlan, key: (e: BenchEntity) => string): ChangedFiles {
  const keys = (list: BenchEntity[]): string[] => list.map(key).sort();
  return { modified: keys(change.modified), added: keys(change.added), removed: keys(change.removed) };
}

function toResult(dir: string, marker: Marker, reused: boolean): GeneratedRepo {
  const { base, head, changed, changedRefs, counts, generationMs } = marker;
  return { dir, base, head, changed, changedRefs, counts, generationMs, reused };
}

const markerPath = (dir: string): string => join(dir, '.git', MARKER_FILE);

async function readMarker(dir: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(markerPath(dir), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

async function writeMarker(dir: string, marker: Marker): Promise<void> {
  await writeFile(markerPath(dir), `${JSON.stringify(marker, null, 2)}\n`);
}

/** The cached result when `dir` holds a complete repo for these parameters whose commits exist. */
async function reuse(dir: string, entities: number, seed: number, checkout: boolean): Promise<GeneratedRepo | undefined> {
  const marker = await readMarker(dir);
  if (!marker || marker.status !== 'complete') return undefined;
  if (marker.generator !== GENERATOR_VERSION || marker.entities !== entities || marker.seed !== seed) return undefined;
  try {
    await git(dir, ['cat-file', '-e', `${marker.base}^{commit}`]);
    await git(dir, ['cat-file', '-e', `${marker.head}^{commit}`]);
  } catch {
    return undefined;
  }
  if (checkout && !marker.checkout) {
    await checkoutBase(dir);
    await writeMarker(dir, { ...marker, checkout: true });
  }
  return toResult(dir, marker, true);
}

/** Makes `dir` an empty directory; refuses to clear one this generator did not create. */
async function prepareDir(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !existsSync(markerPath(dir))) {
      throw new CmdbError(`${dir} is not empty and was not created by the bench generator; choose another dir`, { code: 'usage' });
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
}

async function checkoutBase(dir: string): Promise<void> {
  await git(dir, ['checkout', '-q', '-f', BASE_BRANCH]);
}

/**
 * glibc trims the heap after nearly every object fast-import writes (~2 brk calls per
 * blob: 3 s of system time for 100k blobs); a top pad and trim threshold stop that.
 */
const FAST_IMPORT_ENV = {
  GLIBC_TUNABLES: 'glibc.malloc.top_pad=67108864:glibc.malloc.trim_threshold=1073741824',
  MALLOC_TOP_PAD_: '67108864',
};

/** Streams both commits into `git fast-import` (backpressure via pipeline). */
async function fastImport(dir: string, catalog: BenchCatalog, change: ChangePlan): Promise<void> {
  const args = ['fast-import', '--quiet', '--done', '--date-format=raw'];
  const child = spawnGit(dir, args, FAST_IMPORT_ENV);
  child.stdout.resume();
  const exited = gitExit(child, args);
  await Promise.all([pipeline(Readable.from(fastImportStream(catalog, change)), child.stdin), exited]);
}

const dataBlock = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;

function commitHeader(ref: string, mark: number, time: number, message: string): string {
  const who = `${AUTHOR} ${time} +0000`;
  return `commit ${ref}\nmark :${mark}\nauthor ${who}\ncommitter ${who}\n${dataBlock(message)}`;
}

const modifyFile = (entity: BenchEntity): string => `M 100644 inline ${entity.path}\n${dataBlock(renderEntity(entity))}`;

/** The fast-import command stream, in chunks of about 1 MiB. */
function* fastImportStream(catalog: BenchCatalog, change: ChangePlan): Generator<string> {
  const entities = allEntities(catalog);
  let chunk = commitHeader(`refs/heads/${BASE_BRANCH}`, 1, BASE_TIME, `Generated catalog: ${entities.length} entities\n`);
  for (const entity of entities) {
    chunk += modifyFile(entity);
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  const message = `Change: ${change.modified.length} modified, ${change.added.length} added, ${change.removed.length} removed\n`;
  chunk += `${commitHeader(`refs/heads/${HEAD_BRANCH}`, 2, HEAD_TIME, message)}from :1\n`;
  for (const entity of [...change.modified, ...change.added]) chunk += modifyFile(entity);
  for (const entity of change.removed) chunk += `D ${entity.path}\n`;
  yield `${chunk}done\n`;
}
