import { InMemoryEventBus } from '../../core/InMemoryEventBus.ts';
import type { CmdbEvent } from '../../core/events.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { IncidentEngine, type IncidentEngineOptions } from '../../incidents/engine/IncidentEngine.ts';
import { DEFAULT_INCIDENT_SETTINGS, type EngineInput, type IncidentSettings, type SignalReport } from '../../incidents/types.ts';
import type { ChangeQuery, ChangeRecord } from '../../state/ChangeRecord.ts';
import type { Signal } from '../../state/IncidentRecords.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';
import { buildSnapshot, type SnapshotFixture } from '../graph/fixtures.ts';

/**
 * A small estate for the engine tests:
 *   cluster:prod <-runsOn- resource:db <-dependsOn- component:api <-dependsOn- component:web
 *                                      <-dependsOn- component:worker
 *   component:other and resource:cache stand alone.
 * Criticalities: db high, web critical, worker/other low, api medium.
 */
export const ESTATE: SnapshotFixture = {
  commit: 'e57a7e0000000000000000000000000000000001',
  entities: [
    'cluster:prod',
    { ref: 'resource:db', criticality: 'high' },
    { ref: 'component:api', criticality: 'medium' },
    { ref: 'component:web', criticality: 'critical' },
    { ref: 'component:worker', criticality: 'low' },
    { ref: 'component:other', criticality: 'low' },
    'resource:cache',
  ],
  relations: [
    'resource:db runsOn cluster:prod',
    'component:api dependsOn resource:db',
    'component:web dependsOn component:api',
    'component:worker dependsOn resource:db',
  ],
};

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');
/** The ISO time `seconds` after T0. */
export const t = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

export const settings = (over: Partial<IncidentSettings> = {}): IncidentSettings => ({ ...DEFAULT_INCIDENT_SETTINGS, ...over });

/** A reconciler signal about `ref` (fingerprint `ref|kubernetes|kind`). */
export function fire(ref: string | undefined, seconds: number, kind: Signal['kind'] = 'unhealthy', extra: Partial<Signal> = {}): SignalReport {
  const source = extra.source ?? (ref ? 'kubernetes' : 'alertmanager');
  const fingerprint = extra.fingerprint ?? `${ref ?? 'none'}|${source}|${kind}${extra.field ? `|${extra.field}` : ''}`;
  return { type: 'fire', at: t(seconds), signal: { fingerprint, ...(ref ? { ref } : {}), source, kind, message: `${ref ?? extra.field} is ${kind}`, ...(extra.field ? { field: extra.field } : {}), ...(extra.labels ? { labels: extra.labels } : {}) } };
}
export const clear = (ref: string, seconds: number, kind: Signal['kind'] = 'unhealthy'): SignalReport => ({ type: 'clear', at: t(seconds), fingerprint: `${ref}|kubernetes|${kind}` });
export const tick = (seconds: number): EngineInput => ({ type: 'tick', at: t(seconds) });

/** A change record that changed `changed`, recorded `seconds` after T0. */
export function changeRecord(n: number, changed: string[], seconds: number): ChangeRecord {
  const at = t(seconds);
  return {
    id: `acme/config#${n}`,
    repository: 'acme/config',
    number: n,
    title: `change ${n}`,
    risk: 'low',
    changeType: 'normal',
    decision: 'pass',
    base: 'b'.repeat(40),
    head: 'h'.repeat(40),
    mergeCommit: String(n).padStart(40, '0'),
    openedAt: at,
    approvedAt: null,
    mergedAt: at,
    approvedBy: [],
    changed,
    impacted: [],
    recordedAt: at,
  };
}

/** Change records in a plain list, answering `changes({since})` like a ChangeStore (merged at or after, oldest first). */
export const listedChanges = (records: ChangeRecord[]) => ({
  async changes(query: ChangeQuery = {}): Promise<ChangeRecord[]> {
    return records.filter((r) => !query.since || Date.parse(r.mergedAt) >= query.since.getTime()).sort((a, b) => (a.mergedAt < b.mergedAt ? -1 : 1));
  },
});

export interface Rig {
  engine: IncidentEngine;
  store: InMemoryIncidentStore;
  graph: InMemoryGraphStore;
  events: CmdbEvent[];
  bus: InMemoryEventBus;
  options: IncidentEngineOptions;
  /** Applies inputs one call each. */
  run(...inputs: EngineInput[]): Promise<void>;
}

export async function rig(options_: Partial<Omit<IncidentEngineOptions, 'settings'>> & { fixture?: SnapshotFixture; settings?: IncidentSettings } = {}): Promise<Rig> {
  const { fixture, settings: fixed, ...over } = options_;
  const graph = new InMemoryGraphStore({ snapshot: buildSnapshot(fixture ?? ESTATE) });
  const store = (over.store as InMemoryIncidentStore | undefined) ?? new InMemoryIncidentStore();
  await store.open();
  const bus = new InMemoryEventBus({ now: () => new Date(T0) });
  const events: CmdbEvent[] = [];
  bus.subscribeAll((e) => void events.push(e));
  const options: IncidentEngineOptions = { store, graph, changes: listedChanges([]), settings: () => fixed ?? settings(), events: bus, ...over };
  const engine = new IncidentEngine(options);
  return {
    engine,
    store,
    graph,
    events,
    bus,
    options,
    run: async (...inputs) => {
      for (const input of inputs) await engine.apply([input]);
    },
  };
}
