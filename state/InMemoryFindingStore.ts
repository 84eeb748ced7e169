import type { FindingChangeData } from '../core/events.ts';
import { applyFindingChange, sortedFindings, type FindingStore, type StoredFinding } from './FindingStore.ts';

/** FindingStore in memory: nothing survives the process (tests, a server without a state dir). */
export class InMemoryFindingStore implements FindingStore {
  readonly name = 'memory';
  private readonly held = new Map<string, StoredFinding>();

  async open(): Promise<void> {}

  async apply(changes: readonly FindingChangeData[], at: Date = new Date()): Promise<FindingChangeData[]> {
    const when = at.toISOString();
    return changes.flatMap((c) => applyFindingChange(this.held, c, when) ?? []);
  }

  current(): StoredFinding[] {
    return sortedFindings(this.held);
  }

  async close(): Promise<void> {}
}
