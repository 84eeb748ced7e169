/**
 * `node --expose-gc --import tsx bench/queries.ts [--entities 100000] [--queries 2000]`:
 * GraphQL catalog queries on the generated repo (issue 12): `search` (p50/p99
 * in the index and over HTTP), `catalog(at:)` of an older commit (first query,
 * later queries, against a warm `cmdb check`), the memory one loaded commit
 * takes, `diff`. Prints Markdown rows for BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CatalogReader } from '../catalog/CatalogReader.ts';
import { NativeGitReader } from '../catalog/git/NativeGitReader.ts';
import { searchIndexOf } from '../catalog/searchIndex.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import { CatalogHistory } from '../graph-api/history/CatalogHistory.ts';
import { createGraphqlHandler } from '../graph-api/server.ts';
import { listen } from '../server/listen.ts';
import { createRouter } from '../server/router.ts';
import { generateRepo } from './generate.ts';
import { createRandom } from './random.ts';
import { formatBytes, formatMs, summarize } from './stats.ts';

const { values } = parseArgs({ options: { entities: { type: 'string', default: '100000' }, queries: { type: 'string', default: '2000' } } });
const entities = Number(values.entities);
const queries = Number(values.queries);
const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/cmdb.js', import.meta.url));
const gc = (globalThis as { gc?: () => void }).gc;
/** Heap plus array buffers (snapshot tables and graph indexes live in typed arrays). */
const heap = () => {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const repo = await generateRepo({ dir: path.join(WORK, `repo-${entities / 1000}k`), entities });
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-bench-queries-'));
const line = (label: string, value: string) => process.stdout.write(`| ${label} | ${value} |\n`);
process.stdout.write(`\n${entities} entities; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}\n\n| measure | value |\n| --- | --- |\n`);

/** Wall time of `cmdb check` (the binary); the first run fills the cache, the second is warm. */
function timeCheck(): number {
  const start = performance.now();
  const r = spawnSync(BIN, ['check', '--repo', repo.dir, '--base', repo.base, '--head', repo.head, '--format', 'json'], { env: { ...process.env, CMDB_CACHE_DIR: cacheDir }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`cmdb check exited ${r.status}: ${r.stderr}`);
  return performance.now() - start;
}
timeCheck();
const warmCheck = Math.min(timeCheck(), timeCheck());
line('warm `cmdb check` (binary, min of 2)', formatMs(warmCheck));

const reader = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir });
const served = await reader.read(repo.head); // the served commit: the head of the change
const store = new InMemoryGraphStore({ snapshot: served });

// --- search, in the index
let start = performance.now();
const index = searchIndexOf(served);
line('search index build (once per commit)', formatMs(performance.now() - start));
const random = createRandom(7);
const refs = served.rows.refs;
const texts: Array<{ text: string; kinds?: string[] }> = [];
for (let i = 0; i < queries; i++) {
  const ref = refs[Math.floor(random.next() * refs.length)];
  const name = ref.slice(ref.indexOf('/') + 1);
  const pick = i % 6;
  if (pick === 0) texts.push({ text: name }); // exact name
  else if (pick === 1) texts.push({ text: name.slice(0, Math.max(3, Math.floor(random.next() * name.length))) }); // prefix
  else if (pick === 2) texts.push({ text: name.slice(2 + Math.floor(random.next() * 4)) }); // substring
  else if (pick === 3) texts.push({ text: `Service ${name.slice(-6, -2)}` }); // title part
  else if (pick === 4) texts.push({ text: name.slice(-3), kinds: ['resource', 'host'] }); // substring in two kinds
  else texts.push({ text: `zz-none-${i}` }); // no match: a full scan
}
const inIndex: number[] = [];
for (const { text, kinds } of texts) {
  const t = performance.now();
  index.search(text, { kinds, first: 20 });
  inIndex.push(performance.now() - t);
}
const s1 = summarize(inIndex);
line(`search in the index (${queries} queries, first 20)`, `p50 ${formatMs(s1.p50)}, p99 ${formatMs(s1.p99)}, max ${formatMs(s1.max)}`);

// --- over HTTP
const history = new CatalogHistory({ reader, ref: 'change', repo: repo.dir, served: () => ({ snapshot: served, store, violations: [] }) });
const graphql = createGraphqlHandler({ source: { store, snapshot: () => served, history }, logger: false });
const http = await listen({ listener: createRouter({ routes: [{ methods: ['POST'], path: graphql.path, handler: graphql.handle }] }), port: 0, host: '127.0.0.1' });
async function gql(query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${http.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { errors?: unknown[]; data?: any };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
const SEARCH = 'query ($text: String!, $kinds: [String!]) { search(text: $text, kinds: $kinds, first: 20) { ref title owner { ref } } }';
for (const q of texts.slice(0, 50)) await gql(SEARCH, q); // warm-up
const overHttp: number[] = [];
for (const q of texts) {
  const t = performance.now();
  await gql(SEARCH, q);
  overHttp.push(performance.now() - t);
}
const s2 = summarize(overHttp);
line(`search over HTTP (${queries} requests, 20 entities with owner)`, `p50 ${formatMs(s2.p50)}, p99 ${formatMs(s2.p99)}, max ${formatMs(s2.max)}`);

// --- time travel: the base of the change, an older commit
const ENTITY = 'query ($at: String!, $ref: String!) { catalog(at: $at) { commit { sha } entity(ref: $ref) { ref dependents { ref } impact { count } } search(text: "svc-0001", first: 20) { ref } } }';
const probe = served.rows.refs.find((r) => r.startsWith('resource:'))!;
const before = heap();
start = performance.now();
await gql(ENTITY, { at: repo.base, ref: probe });
const first = performance.now() - start;
const loaded = heap() - before;
line('`catalog(at: base)`: first query (reads, loads and indexes the commit)', `${formatMs(first)} (${(first / warmCheck).toFixed(2)}x a warm check)`);
const later: number[] = [];
const onHead: number[] = [];
for (let i = 0; i < 50; i++) {
  let t = performance.now();
  await gql(ENTITY, { at: repo.base, ref: probe });
  later.push(performance.now() - t);
  t = performance.now();
  await gql(ENTITY, { at: repo.head, ref: probe });
  onHead.push(performance.now() - t);
}
line('`catalog(at: base)`: later queries (p50 / p99)', `${formatMs(summarize(later).p50)} / ${formatMs(summarize(later).p99)}`);
line('the same on the served head (p50 / p99)', `${formatMs(summarize(onHead).p50)} / ${formatMs(summarize(onHead).p99)}`);
line('memory of one loaded older commit (heap + array buffers, after GC)', gc ? formatBytes(loaded) : 'run with --expose-gc');

start = performance.now();
const d = await gql('query ($from: String!, $to: String!) { diff(from: $from, to: $to) { changes { ref op } } }', { from: repo.base, to: repo.head });
line(`\`diff(base, head)\` (${d.diff.changes.length} changes)`, formatMs(performance.now() - start));

await http.close();
await graphql.dispose();
fs.rmSync(cacheDir, { recursive: true, force: true });
