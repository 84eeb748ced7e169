/**
 * KPI speed (issue 12: `kpis` over 10,000 change records and 10,000
 * incidents under 100 ms). Generated records over 90 days on 300 services in
 * 30 systems; measured:
 *  - computeKpis in process (read every record once, then the period), with
 *    and without a system filter, and kpisOver alone on prepared records;
 *  - kpiSeries by day over the 90 days (prepare + 90 buckets);
 *  - the GraphQL `kpis` query over HTTP against the stores the server uses
 *    (FileChangeStore on a changes.jsonl, InMemoryIncidentStore), end to end.
 * `npm run bench -- --only kpis`.
 */
import fs from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RefString } from '../core/types.ts';
import { createGraphqlHandler } from '../graph-api/server.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import { computeKpis, kpiSeries, kpisOver, prepareKpis } from '../incidents/kpis.ts';
import type { ChangeRecord } from '../state/ChangeRecord.ts';
import { CHANGES_FILE, FileChangeStore } from '../state/FileChangeStore.ts';
import type { Incident } from '../state/IncidentRecords.ts';
import { InMemoryIncidentStore } from '../state/InMemoryIncidentStore.ts';
import { createRandom, type Random } from './random.ts';
import { formatMs, markdownHeader, markdownRow, summarize } from './stats.ts';

const log = (line: string) => process.stderr.write(`[bench kpis] ${line}\n`);
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAYS = 90;
const DAY = 86_400_000;
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SERVICES = 300;
const SYSTEMS = 30;
const service = (i: number): RefString => `component:default/svc-${String(i).padStart(3, '0')}`;
const systemOf = (ref: RefString): RefString | undefined => {
  const n = Number(/svc-(\d+)$/.exec(ref)?.[1]);
  return Number.isNaN(n) ? undefined : `system:default/sys-${n % SYSTEMS}`;
};

function generateChanges(random: Random, n: number): ChangeRecord[] {
  const records: ChangeRecord[] = [];
  for (let i = 0; i < n; i++) {
    const merged = T0 + Math.floor(random.next() * DAYS * DAY);
    const first = merged - Math.floor((0.5 + random.next() * 71.5) * H);
    const changed = Array.from({ length: random.between(1, 3) }, () => service(random.int(SERVICES)));
    const sha = (i + 1).toString(16).padStart(40, '0');
    const base = { repository: 'acme/config', title: `change ${i}`, commits: [sha], firstCommitAt: iso(first), base: sha, head: sha, mergeCommit: sha, mergedAt: iso(merged), changed, impacted: changed, recordedAt: iso(merged) };
    if (random.chance(0.15)) records.push({ ...base, id: `branch:${i}`, source: 'branch' });
    else
      records.push({
        ...base,
        id: `acme/config#${i + 1}`,
        source: 'pull-request',
        number: i + 1,
        risk: random.pick(['low', 'moderate', 'high'] as const),
        changeType: random.weighted([['standard', 30], ['normal', 65], ['emergency', 5]] as const),
        decision: 'pass',
        openedAt: iso(first + H),
        approvedAt: null,
        approvedBy: [],
      });
  }
  return records;
}

function generateIncidents(random: Random, n: number, changes: readonly ChangeRecord[]): Incident[] {
  const sorted = [...changes].sort((a, b) => (a.mergedAt < b.mergedAt ? -1 : 1));
  const incidents: Incident[] = [];
  for (let i = 0; i < n; i++) {
    const opened = T0 + Math.floor(random.next() * DAYS * DAY);
    const resolved = random.chance(0.9) ? opened + Math.floor((5 / 60 + random.next() * 10) * H) : undefined;
    // Causes: up to 3 changes merged before the incident opened (the latest ones, as ranking favours).
    let before = 0;
    while (before < sorted.length && Date.parse(sorted[before].mergedAt) < opened) before++;
    const causes = random.chance(0.7) && before > 0 ? Array.from({ length: random.between(1, 3) }, () => sorted[Math.max(0, before - 1 - random.int(50))]) : [];
    incidents.push({
      id: `INC-${i + 1}`,
      state: resolved === undefined ? 'open' : 'resolved',
      title: `incident ${i + 1}`,
      severity: 'high',
      root: random.chance(0.95) ? service(random.int(SERVICES)) : null,
      signals: [],
      correlated: [],
      impacted: [],
      impactedCount: 0,
      probableCauses: causes.map((c, k) => ({
        change: { id: c.id, commits: c.commits ?? [], title: c.title, recordedAt: c.recordedAt },
        reason: 'changed the root',
        ...(k === 0 && random.chance(0.1) ? { dismissed: { by: 'bench', at: iso(opened) } } : {}),
      })),
      runbooks: [],
      openedAt: iso(opened),
      ...(resolved === undefined ? {} : { resolvedAt: iso(resolved) }),
      timeline: [],
      revision: 1,
    });
  }
  return incidents;
}

export interface KpiFigures {
  changes: number;
  incidents: number;
  runs: number;
  computeMs: number[];
  computeSystemMs: number[];
  overMs: number[];
  seriesMs: number[];
  httpMs: number[];
  sample: { changes: number; incidents: number; changeFailureRate: number | null; leadTimeP50: number | null };
}

const time = (f: () => unknown) => {
  const start = performance.now();
  f();
  return performance.now() - start;
};

export async function benchKpis(options: { runs: number; records?: number }): Promise<KpiFigures> {
  const n = options.records ?? 10_000;
  const random = createRandom(12);
  const changes = generateChanges(random, n);
  const incidents = generateIncidents(random, n, changes);
  const from = iso(T0);
  const to = iso(T0 + DAYS * DAY);
  log(`${changes.length} change records, ${incidents.length} incidents over ${DAYS} days`);
  const runs = options.runs;
  const computeMs: number[] = [];
  const computeSystemMs: number[] = [];
  const overMs: number[] = [];
  const seriesMs: number[] = [];
  const prepared = prepareKpis({ changes, incidents });
  for (let i = 0; i < runs + 2; i++) {
    const warm = i < 2; // two warm-up runs (JIT) not kept
    const a = time(() => computeKpis({ changes, incidents, from, to }));
    const b = time(() => computeKpis({ changes, incidents, from, to, system: 'system:default/sys-7', systemOf }));
    const c = time(() => kpisOver(prepared, from, to));
    const d = time(() => kpiSeries(prepareKpis({ changes, incidents }), 'changeFailureRate', 'day', from, to));
    if (warm) continue;
    computeMs.push(a);
    computeSystemMs.push(b);
    overMs.push(c);
    seriesMs.push(d);
  }
  const sample = computeKpis({ changes, incidents, from, to });

  // The GraphQL query end to end, against the stores the server uses.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-bench-kpis-'));
  fs.writeFileSync(path.join(dir, CHANGES_FILE), changes.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const changeStore = new FileChangeStore({ dir, readOnly: true });
  const incidentStore = new InMemoryIncidentStore();
  await incidentStore.open();
  await incidentStore.commit({ incidents });
  const graphql = createGraphqlHandler({ source: { store: new InMemoryGraphStore({}), changes: changeStore, incidents: incidentStore }, logger: false });
  const server = createServer((req, res) => void graphql.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
  const query = `{ kpis(from: "${from}", to: "${to}") { changes incidents deploymentFrequency leadTimeP50Seconds leadTimeP90Seconds changeFailureRate failedChangeRecoveryTimeSeconds meanTimeToRestoreSeconds emergencyChangeRatio incidentsPerService { root incidents } } }`;
  const httpMs: number[] = [];
  try {
    for (let i = 0; i < runs + 2; i++) {
      const start = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      const body = (await res.json()) as { data?: { kpis: { changes: number } }; errors?: unknown[] };
      const ms = performance.now() - start;
      if (body.errors || body.data?.kpis.changes !== sample.changes) throw new Error(`kpis query failed: ${JSON.stringify(body.errors ?? body.data)}`);
      if (i >= 2) httpMs.push(ms);
    }
  } finally {
    server.close();
    await graphql.dispose();
    await changeStore.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    changes: changes.length,
    incidents: incidents.length,
    runs,
    computeMs,
    computeSystemMs,
    overMs,
    seriesMs,
    httpMs,
    sample: { changes: sample.changes, incidents: sample.incidents, changeFailureRate: sample.changeFailureRate, leadTimeP50: sample.leadTimeP50 },
  };
}

export function kpisMarkdown(f: KpiFigures): string {
  const row = (label: string, xs: number[]) => {
    const s = summarize(xs);
    return markdownRow([label, formatMs(s.p50), formatMs(s.p99), formatMs(s.max)]);
  };
  return [
    '### KPIs',
    '',
    `${f.changes.toLocaleString('en')} change records and ${f.incidents.toLocaleString('en')} incidents over 90 days (300 services, 30 systems), ${f.runs} runs after 2 warm-up runs (target: \`kpis\` under 100 ms).`,
    '',
    markdownHeader(['measure', 'p50', 'p99', 'max']),
    row('computeKpis, 90 days (every record read once, then the period)', f.computeMs),
    row('computeKpis with a system filter', f.computeSystemMs),
    row('kpisOver on prepared records (the period alone)', f.overMs),
    row('kpiSeries by day over 90 days (prepare + 90 buckets)', f.seriesMs),
    row('GraphQL `kpis` over HTTP (FileChangeStore + InMemoryIncidentStore, end to end)', f.httpMs),
    '',
    `The period held ${f.sample.changes.toLocaleString('en')} changes and ${f.sample.incidents.toLocaleString('en')} incidents (change failure rate ${f.sample.changeFailureRate?.toFixed(3)}, lead time p50 ${((f.sample.leadTimeP50 ?? 0) / 3600).toFixed(1)} h).`,
  ].join('\n');
}
