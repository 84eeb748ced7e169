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

interface Ranked {
  record: CauseRecord;
  ref: RefString;
  rank: number;
  reason: string;
}

/**
 * Ranks change records as probable causes of an incident. A record counts when
 * it was recorded (`recordedAt`, when the change reached the served branch)
 * within `lookBackMs` before the incident opened, never after. Rank 0: it
 * changed the root; rank d: it changed something the root depends on at
 * distance d; then (rank depth+1) it changed a correlated entity. Ties: the
 * newer first, then the id. A record's best reason counts. Returns the first
 * `limit`, skipping the ids in `exclude` (causes a person dismissed).
 */
export function rankCauses(records: Iterable<CauseRecord>, subject: CauseSubject, lookBackMs: number, exclude: ReadonlySet<string> = new Set(), limit = MAX_CAUSES): ProbableCause[] {
  const opened = Date.parse(subject.openedAt);
  const from = opened - lookBackMs;
  const correlated = new Set(subject.correlated);
  const correlatedRank = Math.max(0, ...subject.upstream.values()) + 1;
  const ranked: Ranked[] = [];
  for (const record of records) {
    if (exclude.has(record.id)) continue;
    const at = Date.parse(record.recordedAt);
    if (!(at >= from && at <= opened)) continue;
    let best: Ranked | undefined;
    for (const ref of record.changed) {
      let candidate: Ranked | undefined;
      if (ref === subject.root) candidate = { record, ref, rank: 0, reason: `changed the root ${ref}` };
      else if (subject.upstream.has(ref)) {
        const d = subject.upstream.get(ref)!;
        candidate = { record, ref, rank: d, reason: `changed ${ref}, which the root depends on (distance ${d})` };
      } else if (correlated.has(ref)) candidate = { record, ref, rank: correlatedRank, reason: `changed ${ref}, a correlated entity` };
      if (candidate && (!best || candidate.rank < best.rank || (candidate.rank === best.rank && ref < best.ref))) best = candidate;
    }
    if (best) ranked.push(best);
  }
  ranked.sort((a, b) => a.rank - b.rank || (a.record.recordedAt !== b.record.recordedAt ? (a.record.recordedAt < b.record.recordedAt ? 1 : -1) : a.record.id < b.record.id ? -1 : 1));
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
