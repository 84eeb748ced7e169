/**
 * Timing of InMemoryGraphStore on large graphs; not a test (no assertions).
 * Run: node --expose-gc --import tsx tests/graph/measure.ts [entities=100000]
 */
import { performance } from 'node:perf_hooks';
import type { Snapshot } from '../../catalog/types.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { buildSnapshot, type SnapshotFixture } from './fixtures.ts';
import { prng, randomFixture } from './random.ts';

/**
 * A catalog-like shape: domains > systems > components; components own APIs,
 * depend mostly on neighbours in their system, run on hosts in clusters;
 * groups own components, users are members of groups.
 */
export function catalogFixture(seed: number, entities: number): SnapshotFixture {
  const next = prng(seed);
  const int = (n: number) => Math.floor(next() * n);
  const count = (share: number) => Math.max(1, Math.round(entities * share));
  const names = (kind: string, n: number) => Array.from({ length: n }, (_, i) => `${kind}:ns${i % 7}/${kind}-${i}`);
  const domains = names('domain', count(0.001));
  const systems = names('system', count(0.01));
  const components = names('component', count(0.6));
  const apis = names('api', count(0.1));
  const resources = names('resource', count(0.15));
  const hosts = names('host', count(0.05));
  const clusters = names('cluster', count(0.005));
  const groups = names('group', count(0.02));
  const users = names('user', entities - domains.length - systems.length - components.length - apis.length - resources.length - hosts.length - clusters.length - groups.length);
  const relations: string[] = [];
  const add = (s: string, type: string, t: string) => relations.push(`${s} ${type} ${t}`);
  systems.forEach((s, i) => add(s, 'partOf', domains[i % domains.length]));
  hosts.forEach((h, i) => add(h, 'partOf', clusters[i % clusters.length]));
  users.forEach((u) => add(u, 'memberOf', groups[int(groups.length)]));
  groups.forEach((g, i) => i > 0 && add(g, 'childOf', groups[int(i)]));
  components.forEach((c, i) => {
    add(c, 'partOf', systems[i % systems.length]);
    add(c, 'ownedBy', groups[i % groups.length]);
    add(c, 'runsOn', hosts[int(hosts.length)]);
    // a component of the same system (same i mod systems.length) created shortly before
    if (i >= systems.length && next() < 0.6) add(c, 'dependsOn', components[i - systems.length * (1 + int(Math.min(3, Math.floor(i / systems.length))))]);
    if (next() < 0.5) add(c, 'dependsOn', resources[int(resources.length)]);
    if (next() < 0.005) add(c, 'dependsOn', components[int(components.length)]);
    if (next() < 0.02) add(c, 'consumesApi', apis[int(apis.length)]);
  });
  apis.forEach((a) => add(components[int(components.length)], 'providesApi', a));
  resources.forEach((r) => add(r, 'runsOn', hosts[int(hosts.length)]));
  const all = [...domains, ...systems, ...components, ...apis, ...resources, ...hosts, ...clusters, ...groups, ...users];
  return { commit: `catalog-${seed}`, entities: all, relations };
}

const ms = (t: number) => `${t.toFixed(2)} ms`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await run();
  return [performance.now() - start, value];
}

async function measure(label: string, snapshot: Snapshot, queries: number): Promise<void> {
  console.log(`\n${label}: ${snapshot.entities.size} entities, ${snapshot.relations.length} relations`);
  const store = new InMemoryGraphStore({});
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < 5; i++) {
    globalThis.gc?.();
    const cpu = process.cpuUsage();
    const [t] = await timed(() => store.load(snapshot));
    const used = process.cpuUsage(cpu);
    console.log(`  load #${i + 1}: ${ms(t)} (cpu ${ms((used.user + used.system) / 1000)})`);
  }
  globalThis.gc?.();
  console.log(`  heap held by the index: ${((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(0)} MB${globalThis.gc ? '' : ' (run with --expose-gc for a stable figure)'}`);
  const refs = [...snapshot.entities.keys()];
  const next = prng(42);
  const byPrefix = new Map<string, string[]>();
  const pick = (prefix = '') => {
    if (!byPrefix.has(prefix)) byPrefix.set(prefix, refs.filter((r) => r.startsWith(prefix)));
    const among = byPrefix.get(prefix)!;
    return among[Math.floor(next() * among.length)];
  };
  for (const prefix of ['component:', 'resource:', 'api:', 'host:', 'cluster:', undefined]) {
    if (prefix && !refs.some((r) => r.startsWith(prefix))) continue;
    const times: number[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < queries; i++) {
      const root = pick(prefix);
      const [t, result] = await timed(() => store.impact([root]));
      times.push(t);
      sizes.push(result.entities.length);
    }
    if (sizes.every((s) => s === 0) && prefix) continue;
    console.log(
      `  impact of one ${prefix?.slice(0, -1) ?? "entity"}: median ${ms(percentile(times, 0.5))}, p95 ${ms(percentile(times, 0.95))}, max ${ms(Math.max(...times))}; ` +
        `entities reached median ${percentile(sizes, 0.5)}, max ${Math.max(...sizes)}`,
    );
  }
  const tenRoots = Array.from({ length: 10 }, () => pick('component:'));
  const [t10] = await timed(() => store.impact(tenRoots));
  console.log(`  impact of 10 components: ${ms(t10)}`);
  for (const direction of ['both', 'out'] as const) {
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < queries; i++) {
      const [from, to] = [pick(), pick()];
      const [t, path] = await timed(() => store.shortestPath(from, to, { direction }));
      times.push(t);
      if (path) found++;
    }
    console.log(`  shortestPath ${direction}: median ${ms(percentile(times, 0.5))}, p95 ${ms(percentile(times, 0.95))}; ${found}/${queries} found`);
  }
  const nTimes: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const ref = pick();
    nTimes.push((await timed(() => store.neighbours(ref)))[0]);
  }
  console.log(`  neighbours: median ${ms(percentile(nTimes, 0.5))}, p95 ${ms(percentile(nTimes, 0.95))}`);
  const [tc, cycles] = await timed(() => store.dependencyCycles());
  console.log(`  dependencyCycles (first call): ${ms(tc)}, ${cycles.length} cycles`);
  const [tl] = await timed(() => store.listEntities({ kind: 'component', offset: 1000, limit: 100 }));
  console.log(`  listEntities page of 100: ${ms(tl)}`);
}

const entities = Number(process.argv[2] ?? 100_000);
let start = performance.now();
const catalog = buildSnapshot(catalogFixture(1, entities));
console.log(`built catalog-like snapshot in ${ms(performance.now() - start)}`);
await measure('catalog-like', catalog, 300);
start = performance.now();
const random = buildSnapshot(randomFixture(1, entities, Math.round(entities * 2.5)));
console.log(`\nbuilt random snapshot in ${ms(performance.now() - start)}`);
await measure('uniformly random (worst case: impact reaches most of the graph)', random, 20);
