import type { IncidentTransaction } from './IncidentRecords.ts';
import { applyIncidentTransaction, emptyIncidentState, incidentReads, type IncidentStore } from './IncidentStore.ts';

/** IncidentStore in memory: tests, and a process that keeps no state. */
export class InMemoryIncidentStore implements IncidentStore {
  readonly name = 'memory';
  private readonly state = emptyIncidentState();
  private readonly reads = incidentReads(this.state);

  async open(): Promise<void> {}
  /** Nothing to read again: the state lives in this instance only. */
  async reload(): Promise<void> {}
  async commit(tx: IncidentTransaction): Promise<void> {
    applyIncidentTransaction(this.state, structuredClone(tx));
  }
  signals = () => this.reads.signals();
  signal = (fingerprint: string) => this.reads.signal(fingerprint);
  incidents = (query?: Parameters<IncidentStore['incidents']>[0]) => this.reads.incidents(query);
  incident = (id: string) => this.reads.incident(id);
  problems = () => this.reads.problems();
  problem = (id: string) => this.reads.problem(id);
  outbox = () => this.reads.outbox();
  applied = (commandId: string) => this.reads.applied(commandId);
  nextNumber = (kind: 'incident' | 'problem') => this.reads.nextNumber(kind);
  async close(): Promise<void> {}
}
