/**
 * Parse throughput in one thread: `parseBlob` on the `yaml` path (slow) and on
 * the fast path (js-yaml plus a verified line scan), on the same blobs, in the
 * same run, alternating rounds; plus how many blobs of the whole commit the
 * fast path takes.
 *   node --import tsx bench/parse.ts [--repo bench/.work/repo-100k] [--sample 5000] [--rounds 3]
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, parseBlob, parseBlobFast, type BlobInput } from '../catalog/parseBlob.ts';
import { builtinValidator } from '../schema/index.ts';
import { listFiles, readBlobs } from './native.ts';

export interface ParseFigures {
  files: number;
  /** Blobs timed per round. */
  sample: number;
  slowFilesPerSecond: number;
  fastFilesPerSecond: number;
  ratio: number;
  /** Blobs of the commit the fast path took / all blobs. */
  fastTaken: number;
  /** Same for the YAML files of examples/acme. */
  acme: { files: number; fastTaken: number };
}

const EXAMPLES = fileURLToPath(new URL('../examples/acme/', import.meta.url));

/** Best-of-rounds files/s of `parse` over `inputs`. */
function rate(inputs: readonly BlobInput[], parse: (b: BlobInput) => unknown): number {
  const start = performance.now();
  for (const b of inputs) parse(b);
  return inputs.length / ((performance.now() - start) / 1000);
}

export async function benchParse(options: { repo: string; rev?: string; sample?: number; rounds?: number }): Promise<ParseFigures> {
  const rev = options.rev ?? 'change';
  const files = (await listFiles(options.repo, rev)).filter((f) => /\.ya?ml$/.test(f.path));
  const byOid = new Map<string, Buffer>();
  await readBlobs(options.repo, [...new Set(files.map((f) => f.oid))], (oid, content) => byOid.set(oid, Buffer.from(content)));
  const all: BlobInput[] = files.map((f) => ({ path: f.path, oid: f.oid, mode: '100644', content: byOid.get(f.oid)! }));
  const validator = builtinValidator();
  const fastTaken = all.filter((b) => parseBlobFast(b, DEFAULT_LIMITS, validator) !== undefined).length;

  const step = Math.max(1, Math.floor(all.length / (options.sample ?? 5000)));
  const sample = all.filter((_, i) => i % step === 0);
  const slow = (b: BlobInput) => parseBlob(b, DEFAULT_LIMITS, validator, { fast: false });
  const fast = (b: BlobInput) => parseBlob(b, DEFAULT_LIMITS, validator, { fast: true });
  rate(sample.slice(0, 500), slow);
  rate(sample.slice(0, 500), fast);
  let slowBest = 0;
  let fastBest = 0;
  for (let r = 0; r < (options.rounds ?? 3); r++) {
    slowBest = Math.max(slowBest, rate(sample, slow));
    fastBest = Math.max(fastBest, rate(sample, fast));
  }

  const acmeFiles = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
  const acmeFast = acmeFiles.filter(
    (f) => parseBlobFast({ path: f, oid: '0'.repeat(40), mode: '100644', content: readFileSync(path.join(EXAMPLES, f)) }, DEFAULT_LIMITS, validator) !== undefined,
  ).length;
  return {
    files: all.length,
    sample: sample.length,
    slowFilesPerSecond: Math.round(slowBest),
    fastFilesPerSecond: Math.round(fastBest),
    ratio: fastBest / slowBest,
    fastTaken,
    acme: { files: acmeFiles.length, fastTaken: acmeFast },
  };
}

export function parseMarkdown(f: ParseFigures): string {
  return [
    '### Blob parsing (one thread)',
    '',
    '| files | slow path (`yaml`) | fast path (js-yaml + line scan) | fast/slow | fast path taken (repo) | fast path taken (examples/acme) |',
    '| --- | --- | --- | --- | --- | --- |',
    `| ${f.sample.toLocaleString('en')} of ${f.files.toLocaleString('en')} | ${f.slowFilesPerSecond.toLocaleString('en')} files/s | ${f.fastFilesPerSecond.toLocaleString('en')} files/s | ${f.ratio.toFixed(1)}x | ${f.fastTaken.toLocaleString('en')} / ${f.files.toLocaleString('en')} | ${f.acme.fastTaken} / ${f.acme.files} |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      repo: { type: 'string', default: fileURLToPath(new URL('./.work/repo-100k', import.meta.url)) },
      sample: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const figures = await benchParse({ repo: values.repo!, sample: Number(values.sample), rounds: Number(values.rounds) });
  process.stdout.write(`${parseMarkdown(figures)}\n`);
}
