import type { CmdbEvent } from '../core/events.ts';
import type { EventLog, LoggedEvent } from './EventLog.ts';
import { tailLog } from './tailLog.ts';

/** EventLog in memory: one process, nothing kept across restarts. */
export class InMemoryEventLog implements EventLog {
  readonly name = 'memory';
  private readonly events: LoggedEvent[] = [];
  private readonly appended = new EventTarget();

  async open(): Promise<number> {
    return this.lastSeq();
  }

  async append(event: CmdbEvent): Promise<number> {
    const seq = this.events.length + 1;
    this.events.push({ seq, event: structuredClone(event) });
    this.appended.dispatchEvent(new Event('append'));
    return seq;
  }

  async read(after: number, limit = Infinity): Promise<LoggedEvent[]> {
    return this.events.slice(Math.max(0, after), Math.max(0, after) + limit).map((e) => structuredClone(e));
  }

  tail(after: number, signal: AbortSignal): AsyncIterable<LoggedEvent> {
    return tailLog({ read: (a) => this.read(a), appended: this.appended, after, signal });
  }

  lastSeq(): number {
    return this.events.length;
  }

  async close(): Promise<void> {}
}
