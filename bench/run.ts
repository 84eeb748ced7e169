/**
 * `npm run bench`: every speed target of the project, as ratios against a
 * reference measured in the same run, printed as Markdown for BENCHMARKS.md
 * and written to bench/.work/results.json.
 *   npm run bench -- [--sizes 10000,100000] [--only check,parse,policies,neo4j,github,reconcile,incidents,kpis,subscriptions,eventlog,startup,web] [--runs N]
 * `startup` (bench/startup.ts) times `cmdb --help` and `cmdb validate` of a 10-entity repo: it uses no --sizes repo.
 * `web` (not in the default list: it needs Debian's chromium) measures the web UI in the browser (bench/web.ts).
 * `reconcile` uses no generated repo: it binds as many Deployments as the smallest size
 * (a private kube-apiserver; skipped with a line saying why when it is not built).
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
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import type { Snapshot } from '../catalog/types.ts';
import { generateRepo, type GeneratedRepo } from './generate.ts';
import { nativeReadAll } from './native.ts';
import { formatMachineInfo, formatMs, machineInfo, markdownHeader, markdownRow, summarize } from './stats.ts';

const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/cmdb.js', import.meta.url));

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    only: { type: 'string', default: 'check,parse,policies,neo4j,github,reconcile,incidents,kpis,subscriptions,eventlog,startup' },
    runs: { type: 'string', default: '3' },
  },
});
const sizes = values.sizes!.split(',').map(Number);
const only = new Set(values.only!.split(','));
const runs = Number(values.runs);

/** Wall time of one `cmdb` run (the binary, as a user runs it); fails loudly on a non-zero exit. */
function timeCmdb(args: string[], env: Record<string, string>): number {
  const start = performance.now();
  const r = spawnSync(BIN, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`cmdb ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => summarize(xs).p50;
const freshCacheDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-bench-cache-'));

interface CheckFigures {
  entities: number;
  nativeMs: number;
  cold: number[];
  warm: number[];
  /** The parse cache kept, the stored tables gone: a CI cache restored from a run on an older base. */
  semiWarm: number[];
  /** Each run against the native read taken just before it. */
  ratios: { cold: number[]; warm: number[]; semiWarm: number[] };
  coldIsomorphic?: number[];
  warmIsomorphic?: number[];
  impactCli: number[];
  impactQuery: { p50: number; p99: number; n: number; impacted: number };
}

async function benchCheck(repo: GeneratedRepo, entities: number): Promise<CheckFigures> {
  // Each cmdb run is paired with a native read just before it: on a shared machine the load moves
  // between runs, and a ratio is only fair between figures taken at the same moment.
  const native: number[] = [];
  const pairedNative = async () => {
    const ms = (await nativeReadAll(repo.dir, repo.head)).ms;
    native.push(ms);
    return ms;
  };
  await nativeReadAll(repo.dir, repo.head);
  const check = ['check', '--repo', repo.dir, '--base', repo.base, '--head', repo.head, '--format', 'json'];
  const cold: number[] = [];
  const ratios = { cold: [] as number[], warm: [] as number[], semiWarm: [] as number[] };
  let cache = '';
  for (let i = 0; i < runs; i++) {
    const ref = await pairedNative();
    cold.push(timeCmdb(check, { CMDB_CACHE_DIR: (cache = freshCacheDir()) }));
    ratios.cold.push(cold[i] / ref);
  }
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ref = await pairedNative();
    warm.push(timeCmdb(check, { CMDB_CACHE_DIR: cache }));
    ratios.warm.push(warm[i] / ref);
  }
  const semiWarm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = freshCacheDir();
    fs.cpSync(cache, dir, { recursive: true, filter: (src) => !path.basename(src).startsWith('tables-') });
    const ref = await pairedNative();
    semiWarm.push(timeCmdb(check, { CMDB_CACHE_DIR: dir }));
    ratios.semiWarm.push(semiWarm[i] / ref);
  }
  const figures: CheckFigures = { entities, nativeMs: median(native), cold, warm, semiWarm, ratios, impactCli: [], impactQuery: { p50: 0, p99: 0, n: 0, impacted: 0 } };
  if (entities <= 10_000) {
    const iso = ['--git', 'isomorphic', ...check];
    const isoCache = freshCacheDir();
    figures.coldIsomorphic = [timeCmdb(iso, { CMDB_CACHE_DIR: isoCache })];
    figures.warmIsomorphic = Array.from({ length: runs }, () => timeCmdb(iso, { CMDB_CACHE_DIR: isoCache }));
  }
  const root = repo.changedRefs.modified[0];
  figures.impactCli = Array.from({ length: runs }, () => timeCmdb(['impact', root, '--repo', repo.dir, '--ref', repo.head, '--format', 'json'], { CMDB_CACHE_DIR: cache }));
  process.env.CMDB_CACHE_DIR = cache;
  figures.impactQuery = await impactQuery(repo);
  return figures;
}

/** p50/p99 of the in-memory impact query over random single roots of the head graph. */
async function impactQuery(repo: GeneratedRepo): Promise<CheckFigures['impactQuery']> {
  const reader = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }) });
  const snapshot = await reader.read(repo.head);
  const store = new InMemoryGraphStore({});
  await store.load(snapshot);
  const refs = [...snapshot.entities.keys()];
  const samples: number[] = [];
  let impacted = 0;
  for (let i = 0; i < 500; i++) {
    const root = refs[(i * 7919) % refs.length];
    const start = performance.now();
    impacted += (await store.impact([root])).entities.length;
    samples.push(performance.now() - start);
  }
  const s = summarize(samples);
  return { p50: s.p50, p99: s.p99, n: samples.length, impacted: Math.round(impacted / samples.length) };
}

const ratio = (ms: number, ref: number) => `${(ms / ref).toFixed(1)}x`;

function checkTable(all: CheckFigures[]): string {
  const rows = [markdownHeader(['entities', 'native read (ref)', 'check cold', 'cold/native', 'check warm', 'warm/native', 'parse cache only', 'ratio', 'impact CLI', 'impact query p50 / p99'])];
  // Ratios: the median of each run's ratio to the native read taken just before it.
  const pairedRatio = (xs: number[]) => `${median(xs).toFixed(2)}x`;
  for (const f of all) {
    rows.push(
      markdownRow([
        f.entities.toLocaleString('en'),
        formatMs(f.nativeMs),
        formatMs(median(f.cold)),
        pairedRatio(f.ratios.cold),
        formatMs(median(f.warm)),
        pairedRatio(f.ratios.warm),
        formatMs(median(f.semiWarm)),
        pairedRatio(f.ratios.semiWarm),
        formatMs(median(f.impactCli)),
        `${f.impactQuery.p50.toFixed(2)} ms / ${f.impactQuery.p99.toFixed(2)} ms (avg ${f.impactQuery.impacted} reached)`,
      ]),
    );
  }
  const iso = all.filter((f) => f.coldIsomorphic);
  if (iso.length) {
    rows.push('', markdownHeader(['entities', 'isomorphic-git cold', 'cold/native', 'isomorphic-git warm', 'warm/native']));
    for (const f of iso)
      rows.push(markdownRow([f.entities.toLocaleString('en'), formatMs(median(f.coldIsomorphic!)), ratio(median(f.coldIsomorphic!), f.nativeMs), formatMs(median(f.warmIsomorphic!)), ratio(median(f.warmIsomorphic!), f.nativeMs)]));
  }
  return rows.join('\n');
}

/**
 * Neo4j against memory on the largest repo; a Neo4j is started unless
 * CMDB_BENCH_NEO4J_URI names one. The full sync runs `runs` times, each on a
 * Neo4j of its own just started (the cold figure; on CMDB_BENCH_NEO4J_URI all on that one).
 */
async function neo4jSection(base: Snapshot, head: Snapshot): Promise<{ data: unknown; markdown: string }> {
  const { benchFullSync, benchNeo4j, BENCH_NEO4J_JAVA_OPTS } = await import('./neo4j.ts');
  const { startNeo4j } = await import('../tests/infra/neo4j.ts');
  const external = process.env.CMDB_BENCH_NEO4J_URI;
  const fullSyncs: number[] = [];
  for (let i = 1; i < runs; i++) {
    const server = external ? undefined : await startNeo4j({ javaOpts: BENCH_NEO4J_JAVA_OPTS });
    try {
      fullSyncs.push(await benchFullSync({ uri: external ?? server!.uri, base }));
    } finally {
      await server?.stop();
    }
  }
  const started = external ? undefined : await startNeo4j({ javaOpts: BENCH_NEO4J_JAVA_OPTS });
  try {
    const r = await benchNeo4j({ uri: external ?? started!.uri, base, head });
    fullSyncs.push(r.fullSyncMs);
    const sync = summarize(fullSyncs);
    const markdown = [
      '### Neo4j graph store',
      '',
      markdownHeader(['entities', 'relationships', 'batch', `full sync (median, min-max of ${fullSyncs.length})`, 'incremental sync (65 entities)', 'impact p50 / p99 Neo4j', 'impact p50 / p99 memory', 'p50 ratio', 'answers differ']),
      markdownRow([
        r.entities.toLocaleString('en'),
        r.relationships.toLocaleString('en'),
        r.batchSize,
        `${formatMs(sync.p50)} (${formatMs(sync.min)}-${formatMs(sync.max)})`,
        formatMs(r.incrementalSyncMs),
        `${formatMs(r.impact.neo4j.p50)} / ${formatMs(r.impact.neo4j.p99)}`,
        `${formatMs(r.impact.memory.p50)} / ${formatMs(r.impact.memory.p99)}`,
        `${r.impact.ratioP50.toFixed(1)}x`,
        r.impact.mismatches,
      ]),
    ].join('\n');
    return { data: { ...r, fullSyncsMs: fullSyncs }, markdown: external ? markdown : `${markdown}\n\n${await seedMarkdown(base, head)}` };
  } finally {
    await started?.stop();
  }
}

/** The full sync's alternative for an empty database: bulk import (benchSeed), `runs` times. */
async function seedMarkdown(base: Snapshot, head: Snapshot): Promise<string> {
  const { benchSeed } = await import('./neo4j.ts');
  const seeds: Array<Awaited<ReturnType<typeof benchSeed>>> = [];
  for (let i = 0; i < runs; i++) seeds.push(await benchSeed({ base, head, workDir: WORK }));
  const med = (pick: (s: (typeof seeds)[number]) => number) => formatMs(summarize(seeds.map(pick)).p50);
  const total = summarize(seeds.map((s) => s.seedMs));
  const last = seeds[seeds.length - 1];
  return [
    '### Neo4j: seeding an empty database by bulk import',
    '',
    markdownHeader(['entities', 'relationships', 'export (CSV)', 'neo4j-admin import', 'constraint', `seed total (median, min-max of ${seeds.length})`, 'start on seeded / empty store', 'marker at base', 'incremental sync after', 'impact p50 Neo4j', 'answers differ']),
    markdownRow([
      last.entities.toLocaleString('en'),
      last.relationships.toLocaleString('en'),
      med((s) => s.exportMs),
      med((s) => s.importMs),
      med((s) => s.schemaMs),
      `${formatMs(total.p50)} (${formatMs(total.min)}-${formatMs(total.max)})`,
      `${med((s) => s.startMs.seeded)} / ${med((s) => s.startMs.empty)}`,
      seeds.every((s) => s.markerAtBase) ? 'yes' : 'NO',
      med((s) => s.incrementalSyncMs),
      formatMs(last.impact.neo4j.p50),
      seeds.reduce((n, s) => n + s.impact.mismatches, 0),
    ]),
  ].join('\n');
}

async function main(): Promise<void> {
  const machine = await machineInfo();
  const out: string[] = [`Machine: ${formatMachineInfo(machine)}`, ''];
  const results: Record<string, unknown> = { machine };
  const repos = new Map<number, GeneratedRepo>();
  const needsRepos = ['check', 'parse', 'policies', 'neo4j', 'github', 'incidents', 'web'].some((s) => only.has(s));
  if (needsRepos) for (const n of sizes) repos.set(n, await generateRepo({ dir: path.join(WORK, n >= 1000 ? `repo-${n / 1000}k` : `repo-${n}`), entities: n }));
  if (only.has('check')) {
    const figures: CheckFigures[] = [];
    for (const [n, repo] of repos) figures.push(await benchCheck(repo, n));
    results.check = figures;
    out.push('### cmdb check and impact', '', checkTable(figures), '');
  }
  if (only.has('startup')) {
    const { benchStartup, startupMarkdown } = await import('./startup.ts');
    const figures = await benchStartup({ work: WORK, runs });
    results.startup = figures;
    out.push(startupMarkdown(figures), '');
  }
  const largest = repos.get(Math.max(...sizes))!;
  if (only.has('subscriptions')) {
    const { benchSubscriptions, subscriptionsMarkdown } = await import('./subscriptions.ts');
    const figures = await benchSubscriptions();
    results.subscriptions = figures;
    out.push(subscriptionsMarkdown(figures), '');
  }
  if (only.has('eventlog')) {
    const { benchEventLog, eventLogMarkdown } = await import('./eventLog.ts');
    const figures = await benchEventLog();
    results.eventLog = figures;
    out.push(eventLogMarkdown(figures), '');
  }
  if (only.has('reconcile')) {
    const { benchReconcileSection } = await import('./reconcile.ts');
    const section = await benchReconcileSection({ objects: Math.min(...sizes) });
    results.reconcile = section.data;
    out.push(section.markdown, '');
  }
  if (only.has('parse')) {
    const { benchParse, parseMarkdown } = await import('./parse.ts');
    const figures = await benchParse({ repo: largest.dir, rev: largest.head });
    results.parse = figures;
    out.push(parseMarkdown(figures), '');
  }
  if (only.has('incidents')) {
    const { benchIncidents, incidentsMarkdown } = await import('./incidents.ts');
    const snapshot = await new CatalogReader({ git: new NativeGitReader({ dir: largest.dir }) }).read(largest.base);
    const figures = await benchIncidents({ snapshot, runs: Math.max(runs, 5) });
    results.incidents = figures;
    out.push(incidentsMarkdown(figures), '');
  }
  if (only.has('web')) {
    const { benchWeb, webMarkdown } = await import('./web.ts');
    const figures = await benchWeb({ repo: largest.dir, entities: Math.max(...sizes), runs: Math.max(runs, 5) });
    results.web = figures;
    out.push(webMarkdown(figures), '');
  }
  if (only.has('policies') || only.has('neo4j')) {
    const reader = new CatalogReader({ git: new NativeGitReader({ dir: largest.dir }) });
    const base = await reader.read(largest.base);
    const head = await reader.readFrom(base, largest.head);
    if (only.has('policies')) {
      const { benchPolicies } = await import('./policies.ts');
      const r = await benchPolicies({ base, head, runs: Math.max(runs, 5) });
      const sm = summarize(r.ms);
      results.policies = r;
      out.push('### Policy evaluation', '', `${r.policies} policies (50 generated + the built-in pack) on the ${base.entities.size.toLocaleString('en')}-entity change: median ${formatMs(sm.p50)}, min ${formatMs(sm.min)}, max ${formatMs(sm.max)} over ${r.ms.length} runs.`, '');
    }
    if (only.has('neo4j')) {
      const section = await neo4jSection(base, head);
      results.neo4j = section.data;
      out.push(section.markdown, '');
    }
  }
  if (only.has('github')) {
    const { benchSection } = await import('./github.ts');
    const section = await benchSection({ repo: largest, runs });
    results.github = section.data;
    out.push(section.markdown, '');
  }
  if (only.has('kpis')) {
    const { benchKpis, kpisMarkdown } = await import('./kpis.ts');
    const figures = await benchKpis({ runs: Math.max(runs, 20) });
    results.kpis = figures;
    out.push(kpisMarkdown(figures), '');
  }
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(path.join(WORK, 'results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(out.join('\n') + '\n');
}

await main();
