import { describe, expect, it } from 'vitest';
import { parse as parseWithYaml } from 'yaml';
import { loadAll } from 'js-yaml';
import { allEntities, planCatalog, renderEntity } from '../../bench/model.ts';
import { createRandom } from '../../bench/random.ts';
import { decodeStoredRecord, encodeLine, ensureTexts } from '../../catalog/cache/DiskParseCache.ts';
import { CORE_SCHEMA_LIKE_YAML, fastDocuments } from '../../catalog/fastYaml.ts';
import { DEFAULT_LIMITS, parseBlob, type BlobInput, type BlobResult } from '../../catalog/parseBlob.ts';
import { spawnSync } from 'node:child_process';
import { releaseParserThreads, startParserThreads, workerSink } from '../../catalog/parsePool.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { CmdbError } from '../../core/errors.ts';
import { TestRepo } from '../helpers/gitRepo.ts';

/** Whether the lines a parser thread sent are the cache lines of these results, one each. */
const sameLines = (batch: readonly BlobResult[], lines: readonly string[] | undefined) =>
  lines !== undefined && lines.length === batch.length && batch.every((r, i) => encodeLine(r.blob, r) === lines[i]);

const SCALARS = [
  ...['null', 'Null', 'NULL', 'nULL', '~', '', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n'],
  ...['0', '-0', '+0', '12', '+12', '-12', '012', '0o17', '0o8', '0O17', '0x1F', '0x1f', '0X1F', '0x', '-0x1F', '0b101', '1_000', '12345678901234567890'],
  ...['1.5', '1.50', '.5', '-.5', '1.', '+1.', '1e3', '1E3', '1e+3', '1.5e-3', '.5e3', '-1e3', '1e', 'e3', '1.2.3'],
  ...['.inf', '.Inf', '.INF', '+.inf', '-.inf', '-.Inf', '.nan', '.NaN', '.NAN', '.nAn', 'inf', 'nan', 'Infinity', 'NaN'],
  ...['2001-12-14', '2001-12-14t21:59:43.10-05:00', '12:30:45', '1:20', '<<', '=', 'abc', 'a b', '"quoted"', "'single'"],
];

describe('the js-yaml schema of the fast path', () => {
  it.each(SCALARS)('resolves %j as the yaml core schema does', (scalar) => {
    const text = `k: ${scalar}\n`;
    const fast = (loadAll(text, null, { schema: CORE_SCHEMA_LIKE_YAML })[0] as Record<string, unknown>).k;
    const slow = (parseWithYaml(text) as Record<string, unknown>).k;
    expect(Object.is(fast, slow), `${String(fast)} vs ${String(slow)}`).toBe(true);
  });
});

describe('the values of the line scan', () => {
  it.each(SCALARS)('resolve %j as the yaml core schema does (when the scan accepts it)', (scalar) => {
    const text = `k: ${scalar}\n`;
    const slow = (parseWithYaml(text) as Record<string, unknown>).k;
    const scanned = fastDocuments(text);
    if (scanned === undefined) return; // outside the scan's subset: the yaml path decides, as the other tests check
    const fast = (scanned[0].value as Record<string, unknown>).k;
    expect(Object.is(fast, slow), `${String(fast)} vs ${String(slow)}`).toBe(true);
  });

  it('accept most of these scalars (the values above are not all vacuous)', () => {
    expect(SCALARS.filter((scalar) => fastDocuments(`k: ${scalar}\n`) !== undefined).length).toBeGreaterThan(SCALARS.length - 10);
  });
});

/** An OnResults that keeps every result (a sink hands them over and keeps none). */
function collector() {
  const results: BlobResult[] = [];
  return { results, onResults: (batch: readonly BlobResult[]) => void results.push(...batch) };
}

describe('parse workers', () => {
  it('send the results and the cache lines encoding them (the texts stay in the lines until asked for)', async () => {
    const inputs: BlobInput[] = allEntities(planCatalog(300, createRandom(3))).map((e, i) => ({
      path: e.path,
      oid: i.toString(16).padStart(40, '0'),
      mode: '100644',
      content: Buffer.from(i % 10 === 0 ? `${renderEntity(e)}  bad: [unclosed\n` : renderEntity(e)),
    }));
    const batches: string[] = [];
    const results: BlobResult[] = [];
    const sink = workerSink(DEFAULT_LIMITS, 2, (batch, lines) => {
      results.push(...batch);
      batches.push(sameLines(batch, lines) ? 'same' : 'differs');
    });
    for (const input of inputs) sink.add(input);
    await sink.finish();
    expect(results).toHaveLength(inputs.length);
    expect(batches.length).toBeGreaterThan(1);
    expect(new Set(batches)).toEqual(new Set(['same']));
    const byOid = new Map(results.map((r) => [r.blob, r]));
    for (const input of inputs) {
      const received = byOid.get(input.oid)!;
      const here = parseBlob(input);
      const line = encodeLine(input.oid, received);
      expect(line).toBe(encodeLine(input.oid, here));
      if (here.documents.length > 0) expect(received.documents.every((d) => d.text === '')).toBe(true);
      expect(ensureTexts(received)).toStrictEqual(here);
      expect(ensureTexts(decodeStoredRecord(input.oid, line)!)).toStrictEqual(here);
    }
  });

  it('started ahead (startParserThreads), are taken by the next parse; released ones are ended', async () => {
    const inputs: BlobInput[] = allEntities(planCatalog(300, createRandom(5))).map((e, i) => ({ path: e.path, oid: i.toString(16).padStart(40, '0'), mode: '100644', content: Buffer.from(renderEntity(e)) }));
    startParserThreads();
    startParserThreads(); // a second call starts nothing more
    const first = collector();
    const sink = workerSink(DEFAULT_LIMITS, 2, first.onResults);
    for (const input of inputs) sink.add(input);
    await sink.finish();
    // Batches arrive in any order: compared by blob.
    const byOid = new Map(first.results.map((r) => [r.blob, ensureTexts(r)]));
    expect(inputs.map((input) => byOid.get(input.oid))).toStrictEqual(inputs.map((input) => parseBlob(input)));
    startParserThreads();
    releaseParserThreads();
    const second = collector();
    const again = workerSink(DEFAULT_LIMITS, 2, second.onResults);
    again.add(inputs[0]);
    await again.finish();
    expect(second.results.map((r) => ensureTexts(r))).toStrictEqual([parseBlob(inputs[0])]);
  });

  it('read the blobs themselves with native git when given the repository (threadBlobSource), with the same results and lines', async () => {
    const repo = TestRepo.create();
    try {
      const files = Object.fromEntries(allEntities(planCatalog(300, createRandom(9))).map((e, i) => [e.path, i % 25 === 0 ? `${renderEntity(e)}  bad: [unclosed\n` : renderEntity(e)]));
      const commit = repo.commit(files);
      const git = new NativeGitReader({ dir: repo.dir });
      const entries = await git.listFiles(commit);
      expect(entries.length).toBe(Object.keys(files).length);
      const batches: string[] = [];
      const results = new Map<string, BlobResult>();
      const onResults = (batch: readonly BlobResult[], lines?: readonly string[]) => {
        for (const r of batch) results.set(r.blob, r);
        batches.push(sameLines(batch, lines) ? 'same' : 'differs');
      };
      const sink = workerSink(DEFAULT_LIMITS, 2, onResults, git.threadBlobSource());
      for (const e of entries) sink.addUnread!({ path: e.path, oid: e.oid, mode: e.mode });
      await sink.finish();
      expect(batches.length).toBeGreaterThan(1);
      expect(new Set(batches)).toEqual(new Set(['same']));
      const contents = new Map<string, Buffer>();
      await git.readBlobs(entries.map((e) => e.oid), (oid, content) => contents.set(oid, Buffer.from(content)));
      for (const e of entries) {
        expect(ensureTexts(results.get(e.oid)!)).toStrictEqual(parseBlob({ path: e.path, oid: e.oid, mode: e.mode, content: contents.get(e.oid)! }));
      }
    } finally {
      repo.remove();
    }
  });

  it('reading themselves, fail the parse with a git error naming a blob git does not have (and a later parse works)', async () => {
    const repo = TestRepo.create();
    try {
      const commit = repo.commit({ 'a.yaml': 'kind: Group\n' });
      const git = new NativeGitReader({ dir: repo.dir });
      const [entry] = await git.listFiles(commit);
      const missing = 'ab'.repeat(20);
      const sink = workerSink(DEFAULT_LIMITS, 1, () => undefined, git.threadBlobSource());
      sink.addUnread!({ path: 'gone.yaml', oid: missing, mode: '100644' });
      const error = await sink.finish().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CmdbError);
      expect(error).toMatchObject({ code: 'git', message: `git object ${missing} is missing` });
      const later = collector();
      const again = workerSink(DEFAULT_LIMITS, 1, later.onResults, git.threadBlobSource());
      again.addUnread!({ path: entry.path, oid: entry.oid, mode: entry.mode });
      await again.finish();
      expect(later.results.map((r) => r.blob)).toEqual([entry.oid]);
    } finally {
      repo.remove();
    }
  });

  it('hand each batch over and keep none: a consumer that throws fails the parse, not the process, and every batch is still awaited', async () => {
    const inputs: BlobInput[] = allEntities(planCatalog(40, createRandom(11))).map((e, i) => ({ path: e.path, oid: i.toString(16).padStart(40, '0'), mode: '100644', content: Buffer.from(renderEntity(e)) }));
    let calls = 0;
    const sink = workerSink(DEFAULT_LIMITS, 2, () => {
      calls++;
      throw new Error('consumer broke');
    });
    for (const input of inputs) sink.add(input);
    await expect(sink.finish()).rejects.toThrow('consumer broke');
    expect(calls).toBe(1); // one batch (fewer inputs than a batch): handed over once
  });

  it('started ahead and never used, do not keep the process alive', () => {
    const script = `import { startParserThreads } from ${JSON.stringify(new URL('../../catalog/parsePool.ts', import.meta.url).href)};\nstartParserThreads();\nconsole.log('started');\n`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined(); // no timeout: the process ended on its own
    expect(r.stdout.trim()).toBe('started');
    expect(r.status).toBe(0);
  });
});
