import type { FindingChangeData, ReportedFinding } from '../core/events.ts';

/** A finding the store holds: open since `since`, last changed at `updatedAt` (ISO 8601). */
export interface StoredFinding {
  /** The stable finding key: check, ref, target and the field (a drift) or kind (`reconcilers/findings.ts` `findingKey`). */
  key: string;
  finding: ReportedFinding;
  since: string;
  updatedAt: string;
}

/**
 * The current findings of the reconcilers, kept across restarts (the leader
 * writes it; see docs/architecture.md, "Runtime"). Keyed by the stable
 * finding key, so the same problem of the same target is one entry however
 * many times it is reported.
 *
 * `apply` is idempotent: a change that does not alter the current state (an
 * `opened` or `changed` for a finding already held as it is, a `resolved` for
 * a key not held) is a no-op and is not returned. A restarted reconciler that
 * reports again what was open before the restart therefore changes nothing,
 * and its caller publishes nothing. Implementations: `FileFindingStore` (a
 * JSON Lines journal in the state dir), `InMemoryFindingStore` (tests, a
 * process without state).
 */
export interface FindingStore {
  /** Where the findings live, for logs and /readyz. */
  readonly name: string;
  /** Loads what a previous run kept (creating the store when missing). Call once before the rest. */
  open(): Promise<void>;
  /**
   * Applies the changes in order, durably (written before it resolves), and
   * returns those that altered the current findings, in order. `opened` of a
   * held key with another finding counts as `changed`; `changed` of a key not
   * held as `opened`; both with the finding held are no-ops.
   */
  apply(changes: readonly FindingChangeData[], at?: Date): Promise<FindingChangeData[]>;
  /** The current findings, ordered by key. */
  current(): StoredFinding[];
  close(): Promise<void>;
}

const same = (a: ReportedFinding, b: ReportedFinding): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The effect of one change on `held` (mutated): the change as it took effect,
 * or undefined for a no-op. The one rule both stores apply.
 */
export function applyFindingChange(held: Map<string, StoredFinding>, change: FindingChangeData, at: string): FindingChangeData | undefined {
  const current = held.get(change.key);
  if (change.change === 'resolved') {
    if (!current) return undefined;
    held.delete(change.key);
    return { change: 'resolved', key: change.key, previous: current.finding, reason: change.reason };
  }
  if (current && same(current.finding, change.finding)) return undefined;
  held.set(change.key, { key: change.key, finding: change.finding, since: current?.since ?? at, updatedAt: at });
  return current ? { change: 'changed', key: change.key, finding: change.finding, previous: current.finding } : { change: 'opened', key: change.key, finding: change.finding };
}

/** The held findings ordered by key. */
export function sortedFindings(held: ReadonlyMap<string, StoredFinding>): StoredFinding[] {
  return [...held.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
