/**
 * Start-up of the `cmdb` binary where a user waits for it (issue 14):
 * `cmdb --help`, and `cmdb validate` of a 10-entity repo, cold (an empty
 * CMDB_CACHE_DIR each run) and warm (the cache the last cold run filled).
 * bin/cmdb.js is spawned directly, as an installed command runs (its shebang
 * sets node's flags), never through npx. The reference is bare `node` started
 * with the same flags, in the same run. examples/acme (committed into a scratch
 * repo) is timed too, as a second, larger catalog.
 *   npm run bench -- --only startup [--runs N]   (median of at least 5 runs)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateRepo } from './generate.ts';
import { formatMs, markdownHeader, markdownRow, summarize } from './stats.ts';

const BIN = fileURLToPath(new URL('../bin/cmdb.js', import.meta.url));
const ACME = fileURLToPath(new URL('../examples/acme/', import.meta.url));
/** The node flags of bin/cmdb.js's shebang, read from it so the reference starts node the same way. */
const NODE_FLAGS = /^#!.*\bnode\b(.*)$/m.exec(fs.readFileSync(BIN, 'utf8'))![1].trim().split(/\s+/).filter(Boolean);

export interface StartupRow {
  label: string;
  /** Wall time of each run (ms). */
  ms: number[];
}

export interface StartupFigures {
  runs: number;
  /** Bare `node -e ''` with the shebang's flags: what no command can beat. */
  node: number[];
  rows: StartupRow[];
}

/** Wall time of one run of `command`; fails loudly on a non-zero exit. */
function time(command: string, args: string[], env: Record<string, string> = {}): number {
  const start = performance.now();
  const r = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const freshCacheDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-bench-startup-'));

/** examples/acme committed into `dir` (rebuilt each run: it is small). */
function acmeRepo(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(ACME, dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=CMDB Bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '-m', 'examples/acme');
  return dir;
}

/** Cold runs (each with a new cache dir), then warm runs on the last one's cache. */
function coldAndWarm(args: string[], runs: number): { cold: number[]; warm: number[] } {
  const cold: number[] = [];
  let cache = '';
  for (let i = 0; i < runs; i++) cold.push(time(BIN, args, { CMDB_CACHE_DIR: (cache = freshCacheDir()) }));
  const warm = Array.from({ length: runs }, () => time(BIN, args, { CMDB_CACHE_DIR: cache }));
  return { cold, warm };
}

export async function benchStartup(options: { work: string; runs: number }): Promise<StartupFigures> {
  const runs = Math.max(options.runs, 5);
  const small = await generateRepo({ dir: path.join(options.work, 'repo-10'), entities: 10 });
  const acme = acmeRepo(path.join(options.work, 'acme'));
  time(BIN, ['--help']); // builds the dev bundle when a source changed: not part of any figure
  const node = Array.from({ length: runs }, () => time(process.execPath, [...NODE_FLAGS, '-e', '']));
  const help = Array.from({ length: runs }, () => time(BIN, ['--help']));
  const validate10 = coldAndWarm(['validate', '--repo', small.dir], runs) // HEAD: the base commit, 10 entities;
  const validateAcme = coldAndWarm(['validate', '--repo', acme], runs);
  return {
    runs,
    node,
    rows: [
      { label: 'cmdb --help', ms: help },
      { label: 'cmdb validate, 10 entities, cold', ms: validate10.cold },
      { label: 'cmdb validate, 10 entities, warm', ms: validate10.warm },
      { label: 'cmdb validate, examples/acme (76 entities), cold', ms: validateAcme.cold },
      { label: 'cmdb validate, examples/acme (76 entities), warm', ms: validateAcme.warm },
    ],
  };
}

const median = (xs: readonly number[]): number => summarize(xs).p50;

export function startupMarkdown(f: StartupFigures): string {
  const ref = median(f.node);
  const rows = f.rows.map((r) => markdownRow([r.label, formatMs(median(r.ms)), formatMs(summarize(r.ms).min), formatMs(summarize(r.ms).max), `${(median(r.ms) / ref).toFixed(1)}x`]));
  return [
    '### Start-up: --help and validate',
    '',
    `Wall time of bin/cmdb.js spawned directly, median of ${f.runs} runs; reference: bare \`node ${NODE_FLAGS.join(' ')} -e ''\` ${formatMs(ref)}.`,
    '',
    markdownHeader(['command', 'median', 'min', 'max', 'median/node']),
    ...rows,
  ].join('\n');
}
