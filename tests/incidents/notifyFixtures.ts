/** Incidents, outbox entries, a webhook receiver and a log for the notification tests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Incident, IncidentTransaction, Notification, Signal } from '../../state/IncidentRecords.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';

export const T0 = '2026-03-01T10:00:00.000Z';
export const at = (ms: number): Date => new Date(Date.parse(T0) + ms);

export function signal(fingerprint: string, overrides: Partial<Signal> = {}): Signal {
  return { fingerprint, ref: 'component:default/db', source: 'kubernetes', kind: 'unhealthy', message: 'Deployment db has 0/2 replicas available', firstSeen: T0, lastSeen: T0, state: 'firing', incident: 'INC-1', ...overrides };
}

export function incident(id: string, overrides: Partial<Incident> = {}): Incident {
  return {
    id,
    state: 'open',
    title: 'component:default/db is unhealthy',
    severity: 'critical',
    root: 'component:default/db',
    signals: [`fp-${id}`],
    correlated: ['component:default/api'],
    impacted: [
      { ref: 'component:default/api', distance: 1, criticality: 'high' },
      { ref: 'system:default/shop', distance: 2, criticality: 'critical' },
    ],
    impactedCount: 2,
    probableCauses: [{ change: { id: 'change-42', number: 42, commits: ['a'.repeat(40)], title: 'Scale db to zero', recordedAt: T0 }, reason: 'changed the root component:default/db' }],
    runbooks: [{ path: 'runbooks/db.md', title: 'Database down' }],
    openedAt: T0,
    timeline: [{ at: T0, type: 'opened', by: 'cmdb', message: 'opened: component:default/db is unhealthy' }],
    revision: 1,
    ...overrides,
  };
}

let sequence = 0;
export function notification(target: string, incidentId: string, revision: number, overrides: Partial<Notification> = {}): Notification {
  const event = overrides.event ?? (revision === 1 ? 'incident.opened' : 'incident.updated');
  return { id: `${incidentId}-r${revision}-${target}-${++sequence}`, target, event, incident: incidentId, revision, createdAt: at(revision).toISOString(), attempts: 0, nextAttemptAt: at(revision).toISOString(), ...overrides };
}

/** What the engine commits: an incident at a revision (with its signal) and its notifications, in one transaction. */
export async function engineWrites(store: IncidentStore, inc: Incident, notifications: Notification[], extra: IncidentTransaction = {}): Promise<void> {
  await store.commit({ signals: inc.signals.map((fp) => signal(fp, { incident: inc.id })), incidents: [inc], notifications, ...extra });
}

/** One request a receiver got: headers, raw body, parsed body. */
export interface Received {
  headers: IncomingMessage['headers'];
  raw: Buffer;
  json: any;
}

type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';
/** An answer, or a function deciding it when the request arrives. */
type Reply = Answer | (() => Promise<Answer>);

/**
 * A webhook receiver on 127.0.0.1. Each request is answered by the next
 * scripted reply (then 200), and the most requests it had open at once is kept.
 */
export class Receiver {
  readonly received: Received[] = [];
  maxConcurrent = 0;
  private open = 0;
  private readonly script: Reply[] = [];
  private readonly hanging: ServerResponse[] = [];
  private server!: Server;
  url = '';

  static async start(options: { delayMs?: number } = {}): Promise<Receiver> {
    const r = new Receiver();
    r.server = createServer((req, res) => void r.handle(req, res, options.delayMs ?? 0));
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
    return r;
  }

  /** The next requests' replies, in order. */
  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  deliveries(): string[] {
    return this.received.map((r) => String(r.headers['x-cmdb-delivery']));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, delayMs: number): Promise<void> {
    this.open++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    this.received.push({ headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')) });
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const next = this.script.shift() ?? { status: 200 };
    const reply = typeof next === 'function' ? await next().catch((e: Error): Answer => ({ status: 599, body: e.message })) : next;
    this.open--;
    if (reply === 'hang') {
      this.hanging.push(res);
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
    res.end(reply.body ?? '');
  }
}

/** A pino logger whose lines are kept (parsed) for assertions. */
export function capturedLog(): { log: Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}
