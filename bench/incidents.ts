/**
 * Incident engine speed (issue 11), on the generated graph (the largest size):
 *  - a zone failing: the cluster with the most entities within the
 *    correlation depth, plus 999 of those it impacts, signalled within one
 *    second in a shuffled order. With the default `for: 30s` the signals are
 *    recorded as they come (one `apply` each) and one tick, `for` after,
 *    opens and correlates all of them: its duration is the time from the
 *    last signal being due to every incident correlated. With `for: 0` each
 *    signal opens or joins an incident as it is applied; the signals go
 *    through the CoalescingQueue the server uses (inputs arriving while the
 *    engine is busy are applied together, one transaction): (a) all 1,000
 *    queued at once, from then to the last correlated; (b) paced, one a
 *    millisecond over one second of real time, from the last arrival to the
 *    last correlated. Incidents and roots counted; heap measured after a full
 *    GC.
 *  - probable-cause ranking of one incident against 10,000 change records.
 * `npm run bench -- --only incidents --sizes 100000`.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RefString } from '../core/types.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import { TopologyCache } from '../incidents/correlateTopology.ts';
import { CoalescingQueue } from '../incidents/engine/CoalescingQueue.ts';
import { IncidentEngine } from '../incidents/engine/IncidentEngine.ts';
import { CauseIndex, type CauseRecord } from '../incidents/probableCause.ts';
import { DEFAULT_INCIDENT_SETTINGS, type EngineInput, type IncidentSettings } from '../incidents/types.ts';
import type { Snapshot } from '../catalog/types.ts';
import type { ChangeRecord } from '../state/ChangeRecord.ts';
import { InMemoryIncidentStore } from '../state/InMemoryIncidentStore.ts';
import { createRandom, type Random } from './random.ts';
import { formatBytes, formatMs, markdownHeader, markdownRow, summarize } from './stats.ts';

const log = (line: string) => process.stderr.write(`[bench incidents] ${line}\n`);
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const SIGNALS = 1000;
const RECORDS = 10_000;

export interface IncidentFigures {
  entities: number;
  zone: { root: RefString; withinDepth: number; depth: number };
  /** for: 30s: recording the 1,000 signals (one input each, total), and the tick that correlates them all. */
  recordMs: number[];
  correlateTickMs: number[];
  /** for: 0: from the last signal's arrival (all queued at once) to the last correlated. */
  immediateMs: number[];
  immediateIncidents: number;
  /** for: 0, one signal a millisecond: from the last signal's arrival to the last correlated; and the number of `apply` calls (transactions) it took. */
  pacedMs: number[];
  pacedApplies: number;
  pacedIncidents: number;
  incidents: number;
  roots: RefString[];
  correlated: number;
  impacted: number;
  /** Impacted entities the incidents list (the nearest, up to the engine's impactedLimit). */
  listed: number;
  /** The largest unresolved incident record as JSON (what a store writes for each revision). */
  recordBytes: number;
  heapBytes: number;
  /** Indexing the records by changed entity (once per batch of inputs), then ranking each incident. */
  causes: { records: number; incidents: number; indexMs: number; p50: number; p99: number; max: number };
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The cluster whose impact within `depth` is largest, and that impact (sorted by distance, then ref). */
async function pickZone(graph: GraphStore, depth: number): Promise<{ root: RefString; impacted: RefString[] }> {
  const clusters = (await graph.listEntities({ kind: 'cluster' })).nodes;
  let best: { root: RefString; impacted: RefString[] } | undefined;
  for (const c of clusters) {
    const impacted = (await graph.impact([c.ref], { depth })).entities.map((e) => e.ref);
    if (!best || impacted.length > best.impacted.length) best = { root: c.ref, impacted };
  }
  if (!best || best.impacted.length < SIGNALS - 1) throw new Error(`no cluster impacts ${SIGNALS - 1} entities within depth ${depth}`);
  return best;
}

/** 999 of the impacted, spread evenly over the sorted list, plus the root; fire inputs at 0..999 ms in a shuffled order. */
function zoneSignals(zone: { root: RefString; impacted: RefString[] }, random: Random): EngineInput[] {
  const step = zone.impacted.length / (SIGNALS - 1);
  const refs = [zone.root, ...Array.from({ length: SIGNALS - 1 }, (_, i) => zone.impacted[Math.floor(i * step)])];
  return shuffle(refs, random).map((ref, i) => ({ type: 'fire', at: iso(i), signal: { fingerprint: `${ref}|kubernetes|unhealthy`, ref, source: 'kubernetes', kind: 'unhealthy', message: `${ref} is unhealthy` } }));
}

/** 10,000 change records over the 7 days before T0, each changing 1-5 random entities. */
function changeRecords(refs: readonly RefString[], random: Random): ChangeRecord[] {
  return Array.from({ length: RECORDS }, (_, i): ChangeRecord => {
    const at = iso(-Math.floor(random.next() * 7 * 86_400_000));
    const changed = Array.from({ length: 1 + random.int(5) }, () => refs[random.int(refs.length)]);
    return {
      id: `bench/config#${i + 1}`, repository: 'bench/config', number: i + 1, title: `change ${i + 1}`, risk: 'low', changeType: 'normal', decision: 'pass',
      base: '0'.repeat(40), head: '1'.repeat(40), mergeCommit: (i + 1).toString(16).padStart(40, '0'), openedAt: at, approvedAt: null, mergedAt: at, approvedBy: [], changed, impacted: [], recordedAt: at,
    };
  }).sort((a, b) => (a.mergedAt < b.mergedAt ? -1 : 1));
}

/** Heap used after a full collection (gc exposed at run time through V8's flags). */
const heap = () => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
};

type Arrival = 'one-by-one' | 'queued' | 'paced';

async function zoneRun(graph: GraphStore, settings: IncidentSettings, inputs: EngineInput[], records: ChangeRecord[], arrival: Arrival) {
  const store = new InMemoryIncidentStore();
  await store.open();
  const engine = new IncidentEngine({ store, graph, settings: () => settings, changes: { changes: async () => records } });
  let applies = 0;
  const queue = new CoalescingQueue<EngineInput>(async (items) => {
    applies++;
    await engine.apply(items);
  });
  let start = performance.now();
  if (arrival === 'queued') await Promise.all(inputs.map((input) => queue.push([input], 'finding')));
  else if (arrival === 'paced') {
    const t0 = performance.now();
    const pushed: Promise<void>[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const wait = t0 + i - performance.now();
      if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      pushed.push(queue.push([inputs[i]], 'finding'));
    }
    start = performance.now();
    await Promise.all(pushed);
  } else for (const input of inputs) await engine.apply([input]);
  const recordMs = performance.now() - start;
  const tickStart = performance.now();
  await engine.apply([{ type: 'tick', at: iso(SIGNALS + settings.forMs) }]);
  const tickMs = performance.now() - tickStart;
  return { store, recordMs, tickMs, applies };
}

export async function benchIncidents(options: { snapshot: Snapshot; runs: number }): Promise<IncidentFigures> {
  const graph = new InMemoryGraphStore({});
  await graph.load(options.snapshot);
  const depth = DEFAULT_INCIDENT_SETTINGS.correlation.depth;
  const zone = await pickZone(graph, depth);
  log(`zone ${zone.root}: ${zone.impacted.length} entities within depth ${depth}`);
  const random = createRandom(11);
  const refs = [...options.snapshot.entities.keys()];
  const records = changeRecords(refs, random);
  const figures: IncidentFigures = {
    entities: refs.length, zone: { root: zone.root, withinDepth: zone.impacted.length, depth },
    recordMs: [], correlateTickMs: [], immediateMs: [], immediateIncidents: 0, pacedMs: [], pacedApplies: 0, pacedIncidents: 0, incidents: 0, roots: [], correlated: 0, impacted: 0, listed: 0, recordBytes: 0, heapBytes: 0,
    causes: { records: RECORDS, incidents: 0, indexMs: 0, p50: 0, p99: 0, max: 0 },
  };
  const before = heap();
  let kept: InMemoryIncidentStore | undefined;
  for (let run = 0; run < options.runs; run++) {
    const inputs = zoneSignals(zone, random);
    const delayed = await zoneRun(graph, DEFAULT_INCIDENT_SETTINGS, inputs, records, 'one-by-one');
    figures.recordMs.push(delayed.recordMs);
    figures.correlateTickMs.push(delayed.tickMs);
    const unresolved = delayed.store.incidents({ state: 'unresolved' });
    log(`run ${run + 1}: record ${formatMs(delayed.recordMs)}, correlating tick ${formatMs(delayed.tickMs)}; ${unresolved.length} incident(s)`);
    const immediate = await zoneRun(graph, { ...DEFAULT_INCIDENT_SETTINGS, forMs: 0 }, inputs, records, 'queued');
    figures.immediateMs.push(immediate.recordMs);
    figures.immediateIncidents = Math.max(figures.immediateIncidents, immediate.store.incidents({ state: 'unresolved' }).length);
    const paced = await zoneRun(graph, { ...DEFAULT_INCIDENT_SETTINGS, forMs: 0 }, inputs, records, 'paced');
    figures.pacedMs.push(paced.recordMs);
    figures.pacedApplies = Math.max(figures.pacedApplies, paced.applies);
    figures.pacedIncidents = Math.max(figures.pacedIncidents, paced.store.incidents({ state: 'unresolved' }).length);
    log(`for: 0: all queued ${formatMs(immediate.recordMs)} (${immediate.applies} apply), paced over 1 s: ${formatMs(paced.recordMs)} after the last (${paced.applies} applies); ${figures.immediateIncidents}/${figures.pacedIncidents} incident(s)`);
    kept = delayed.store;
  }
  figures.heapBytes = heap() - before;
  const unresolved = kept!.incidents({ state: 'unresolved' });
  figures.incidents = unresolved.length;
  figures.roots = unresolved.map((i) => i.root ?? 'none').sort();
  figures.correlated = unresolved.reduce((n, i) => n + i.correlated.length, 0);
  figures.impacted = unresolved.reduce((n, i) => n + i.impactedCount, 0);
  figures.listed = unresolved.reduce((n, i) => n + i.impacted.length, 0);
  figures.recordBytes = Math.max(...unresolved.map((i) => Buffer.byteLength(JSON.stringify(i))));
  figures.causes = await benchCauses(graph, refs, records, depth);
  return figures;
}

/** rankCauses for 200 incidents rooted at random entities, each against the 10,000 records (upstream computed beforehand, as the engine caches it). */
async function benchCauses(graph: GraphStore, refs: readonly RefString[], records: CauseRecord[], depth: number): Promise<IncidentFigures['causes']> {
  const topology = new TopologyCache(graph);
  await topology.refresh();
  const random = createRandom(7);
  const indexStart = performance.now();
  const index = new CauseIndex(records);
  const indexMs = performance.now() - indexStart;
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const root = refs[random.int(refs.length)];
    const upstream = (await topology.of(root, depth)).upstream;
    const start = performance.now();
    index.rank({ root, upstream, correlated: [], openedAt: iso(0) }, DEFAULT_INCIDENT_SETTINGS.lookBackMs);
    samples.push(performance.now() - start);
  }
  const s = summarize(samples);
  return { records: records.length, incidents: samples.length, indexMs, p50: s.p50, p99: s.p99, max: s.max };
}

export function incidentsMarkdown(f: IncidentFigures): string {
  const rec = summarize(f.recordMs);
  const tick = summarize(f.correlateTickMs);
  const now = summarize(f.immediateMs);
  const paced = summarize(f.pacedMs);
  return [
    '### Incident engine',
    '',
    `A zone failing on the ${f.entities.toLocaleString('en')}-entity graph: ${f.zone.root} and 999 of the ${f.zone.withinDepth.toLocaleString('en')} entities it impacts within depth ${f.zone.depth}, signalled within one second (shuffled), ${f.recordMs.length} runs.`,
    '',
    markdownHeader(['measure', 'p50', 'p99', 'max']),
    markdownRow(['recording 1,000 signals (for: 30s; one input each, total)', formatMs(rec.p50), formatMs(rec.p99), formatMs(rec.max)]),
    markdownRow(['last signal due -> all correlated (the tick `for` later)', formatMs(tick.p50), formatMs(tick.p99), formatMs(tick.max)]),
    markdownRow([`last signal arrived -> all correlated (for: 0, 1,000 queued at once, applied together; ${f.immediateIncidents} incident(s))`, formatMs(now.p50), formatMs(now.p99), formatMs(now.max)]),
    markdownRow([`last signal arrived -> all correlated (for: 0, one a millisecond over 1 s, at most ${f.pacedApplies} applies; ${f.pacedIncidents} incident(s))`, formatMs(paced.p50), formatMs(paced.p99), formatMs(paced.max)]),
    '',
    `Incidents: ${f.incidents} (roots: ${f.roots.join(', ')}), ${f.correlated} correlated entities, ${f.impacted.toLocaleString('en')} impacted (${f.listed.toLocaleString('en')} listed, the nearest); the incident record is ${formatBytes(f.recordBytes)} as JSON. Heap after the runs (engine, stores, topology cache): +${formatBytes(f.heapBytes)}.`,
    '',
    `Probable-cause ranking against ${f.causes.records.toLocaleString('en')} change records: p50 ${formatMs(f.causes.p50)}, p99 ${formatMs(f.causes.p99)}, max ${formatMs(f.causes.max)} per incident (${f.causes.incidents} incidents rooted at random entities; target < 10 ms), after indexing the records by changed entity once per batch of inputs (${formatMs(f.causes.indexMs)}).`,
  ].join('\n');
}
