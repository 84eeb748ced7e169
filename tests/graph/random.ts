import { RELATION_TYPES } from '../../catalog/relations.ts';
import type { SnapshotFixture } from './fixtures.ts';

/** Deterministic PRNG (mulberry32): floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = ['component', 'resource', 'api', 'system', 'cluster', 'group'];

/**
 * A random catalog of `entities` entities and `relations` relations (about
 * half dependsOn; duplicates, self loops and a few dangling targets included);
 * names are random so that ref order differs from creation order.
 */
export function randomFixture(seed: number, entities: number, relations: number): SnapshotFixture {
  const next = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const refs: string[] = [];
  const seen = new Set<string>();
  while (refs.length < entities) {
    const ref = `${pick(KINDS)}:ns${Math.floor(next() * 4)}/${Math.floor(next() * entities * 10).toString(36)}`;
    if (seen.has(ref)) continue;
    seen.add(ref);
    refs.push(ref);
  }
  const lines: string[] = [];
  for (let i = 0; i < relations; i++) {
    const source = pick(refs);
    const target = next() < 0.01 ? 'component:missing/nowhere' : pick(refs);
    const type = next() < 0.4 ? 'dependsOn' : pick(RELATION_TYPES);
    lines.push(`${source} ${type} ${target}`);
  }
  return { commit: `seed-${seed}`, entities: refs, relations: lines };
}
