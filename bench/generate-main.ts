/**
 * Standalone check: generates (or reuses) the 10k and 100k repos under bench/.work/ and
 * prints the native-git reference figures for their head commits.
 *   node --import tsx bench/generate-main.ts [--fresh] [--verify] [--runs N]
 * --fresh regenerates (to time generation); --verify checks both commits are valid catalogs.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRepo } from './generate.ts';
import type { GeneratedRepo } from './generate.ts';
import { nativeDiffRaw, nativeReadAll } from './native.ts';
import { formatBytes, formatMachineInfo, formatMs, machineInfo, markdownHeader, markdownRow, summarize } from './stats.ts';
import { verifyCatalog } from './verify.ts';

/** Where benchmark repos live (git-ignored). */
export const WORK_DIR = fileURLToPath(new URL('./.work/', import.meta.url));

/** The two standard sizes and their directories. */
export const STANDARD_REPOS = [
  { label: '10k', entities: 10_000, dir: `${WORK_DIR}repo-10k` },
  { label: '100k', entities: 100_000, dir: `${WORK_DIR}repo-100k` },
] as const;

/** One warm-up run (page cache, pack index), then `runs` timed runs. */
async function repeat<T>(runs: number, run: () => Promise<T>): Promise<T[]> {
  await run();
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(await run());
  return results;
}

/** `median (min)`: the min is the least disturbed by other load on the machine. */
function medianMin(samples: number[]): string {
  const s = summarize(samples);
  return `${formatMs(s.p50)} (${formatMs(s.min)})`;
}

async function verify(repo: GeneratedRepo): Promise<void> {
  for (const [name, commit] of [['base', repo.base], ['head', repo.head]] as const) {
    const check = await verifyCatalog(repo.dir, commit);
    const verdict = check.problems.length === 0 ? 'valid' : `INVALID:\n  ${check.problems.join('\n  ')}`;
    console.log(`  verify ${name}: ${check.entities} entities, ${check.references} references, ${verdict}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { fresh: { type: 'boolean' }, verify: { type: 'boolean' }, runs: { type: 'string' } } });
  const runs = Number(values.runs ?? 5);
  console.log(`Machine: ${formatMachineInfo(await machineInfo())}\n`);
  const rows: string[] = [];
  for (const spec of STANDARD_REPOS) {
    if (values.fresh) await rm(spec.dir, { recursive: true, force: true });
    const repo = await generateRepo({ dir: spec.dir, entities: spec.entities });
    const { modified, added, removed } = repo.changed;
    console.log(`${spec.label}: ${repo.reused ? 'reused' : 'generated'} in ${formatMs(repo.generationMs)} (generation time) at ${repo.dir}`);
    console.log(`  base ${repo.base}  head ${repo.head}  change: ${modified.length} modified, ${added.length} added, ${removed.length} removed`);
    console.log(`  counts ${JSON.stringify(repo.counts)}`);
    if (values.verify) await verify(repo);
    const reads = await repeat(runs, () => nativeReadAll(repo.dir, repo.head));
    const diffs = await repeat(runs, () => nativeDiffRaw(repo.dir, repo.base, repo.head));
    const [read, d] = [reads[0], diffs[0]];
    rows.push(
      markdownRow([
        spec.label,
        read.files,
        formatBytes(read.bytes),
        formatMs(repo.generationMs),
        medianMin(reads.map((r) => r.listMs)),
        medianMin(reads.map((r) => r.ms)),
        medianMin(diffs.map((r) => r.ms)),
        `${d.modified}M ${d.added}A ${d.removed}D`,
      ]),
    );
  }
  console.log(`\nNative git reference, head commit, median (min) of ${runs} runs after one warm-up:\n`);
  console.log(markdownHeader(['repo', 'files', 'bytes', 'generation', 'ls-tree -r', 'ls-tree + cat-file --batch', 'diff --raw', 'diff']));
  for (const row of rows) console.log(row);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
