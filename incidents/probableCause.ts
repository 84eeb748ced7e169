import type { RefString } from '../core/types.ts';
import type { ChangeRecord } from '../state/ChangeRecord.ts';
import type { ProbableCause } from '../state/IncidentRecords.ts';

/** A change record as probable-cause ranking reads it (`commits` and an optional `number` for changes recorded from a followed branch). */
export type CauseRecord = Pick<ChangeRecord, 'id' | 'title' | 'recordedAt' | 'changed' | 'mergeCommit'> & { number?: number; commits?: string[] };

/** What an incident is made of, for ranking changes against it. */
export interface CauseSubject {
  root: RefString | null;
  /** What the root depends on (its upstream within the correlation depth), by distance. */
  upstream: ReadonlyMap<RefString, number>;
  correlated: readonly RefString[];
  openedAt: string;
}

export const MAX_CAUSES = 3;

interface Entry {
  record: CauseRecord;
  recordedMs: number;
}

interface Ranked extends Entry {
  ref: RefString;
  rank: number;
  reason: string;
}

/**
 * Change records indexed by the entities they changed, so ranking an incident
 * reads only the records of its root, what the root depends on and its
 * correlated entities (not every record). Built once per batch of inputs.
 */
export class CauseIndex {
  private readonly byRef = new Map<RefString, Entry[]>();

  constructor(records: Iterable<CauseRecord>) {
    for (const record of records) {
      const entry = { record, recordedMs: Date.parse(record.recordedAt) };
      for (const ref of new Set(record.changed)) {
        let list = this.byRef.get(ref);
        if (!list) this.byRef.set(ref, (list = []));
        list.push(entry);
      }
    }
  }

  /**
   * Ranks the change records as probable causes of an incident. A record counts
   * when it was recorded (`recordedAt`, when the change reached the served
   * branch) within `lookBackMs` before the incident opened, never after. Rank 0:
   * it changed the root; rank d: it changed something the root depends on at
   * distance d; then (rank: the largest distance + 1) it changed a correlated
   * entity. A record's best reason counts (the smaller ref among equals). Ties:
   * the newer first, then the id. Returns the first `limit`, skipping the ids in
   * `exclude` (causes a person dismissed).
   */
  rank(subject: CauseSubject, lookBackMs: number, exclude: ReadonlySet<string> = new Set(), limit = MAX_CAUSES): ProbableCause[] {
    const opened = Date.parse(subject.openedAt);
    const from = opened - lookBackMs;
    const best = new Map<string, Ranked>();
    const consider = (ref: RefString, rank: number, reason: string) => {
      for (const entry of this.byRef.get(ref) ?? []) {
        if (entry.recordedMs < from || entry.recordedMs > opened || exclude.has(entry.record.id)) continue;
        const before = best.get(entry.record.id);
        if (!before || rank < before.rank || (rank === before.rank && ref < before.ref)) best.set(entry.record.id, { ...entry, ref, rank, reason });
      }
    };
    if (subject.root !== null) consider(subject.root, 0, `changed the root ${subject.root}`);
    for (const [ref, d] of subject.upstream) consider(ref, d, `changed ${ref}, which the root depends on (distance ${d})`);
    const correlatedRank = Math.max(0, ...subject.upstream.values()) + 1;
    for (const ref of subject.correlated) if (ref !== subject.root && !subject.upstream.has(ref)) consider(ref, correlatedRank, `changed ${ref}, a correlated entity`);
    const ranked = [...best.values()].sort((a, b) => a.rank - b.rank || b.recordedMs - a.recordedMs || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
    return ranked.slice(0, limit).map(({ record, reason }) => ({
      change: {
        id: record.id,
        ...(record.number !== undefined ? { number: record.number } : {}),
        commits: record.commits ?? [record.mergeCommit],
        title: record.title,
        recordedAt: record.recordedAt,
      },
      reason,
    }));
  }
}

/** Ranks `records` for one incident (see CauseIndex.rank); index the records once when ranking several incidents. */
export function rankCauses(records: Iterable<CauseRecord>, subject: CauseSubject, lookBackMs: number, exclude: ReadonlySet<string> = new Set(), limit = MAX_CAUSES): ProbableCause[] {
  return new CauseIndex(records).rank(subject, lookBackMs, exclude, limit);
}
