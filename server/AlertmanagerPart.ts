import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readBody } from '../controller/github/webhookEndpoint.ts';
import { signalsOfAlerts } from '../incidents/alertmanager.ts';
import { parseAlertmanagerPayload } from '../incidents/alertmanagerPayload.ts';
import type { IncidentSettings, RefResolver, SignalReport } from '../incidents/types.ts';
import type { ServerMetrics } from './metrics.ts';
import { sendJson, type Route, type RouteProvider } from './router.ts';

export const ALERTMANAGER_PATH = '/webhooks/alertmanager';
export const ALERTMANAGER_TOKEN_ENV = 'CMDB_ALERTMANAGER_TOKEN';
/** Alertmanager groups alerts; a notification of a thousand alerts is far below this. */
export const MAX_ALERTMANAGER_BYTES = 1024 * 1024;
/** Seconds a follower asks Alertmanager to wait (Alertmanager retries 5xx answers with its own back-off). */
const RETRY_AFTER_SECONDS = 5;

export interface AlertmanagerPartOptions {
  /** The bearer token Alertmanager sends (`CMDB_ALERTMANAGER_TOKEN`); undefined: the route answers 503. Never logged. */
  token: string | undefined;
  /** Applies the reports durably (the leader's incident engine); the answer is 200 only once it resolves. */
  submit(reports: SignalReport[]): Promise<void>;
  /** Whether this replica writes; a follower answers 503 with Retry-After. */
  isLeader(): boolean;
  /** Resolves refs on the served catalog; undefined while none is served (then only full refs map). */
  resolveRef(): RefResolver | undefined;
  /** The served commit's incident settings (`incidents.alerts.labels`). */
  settings(): IncidentSettings;
  log: Logger;
  metrics?: ServerMetrics;
  /** The current time (tests); default: the clock. */
  now?: () => string;
}

type Outcome = 'accepted' | 'unauthorized' | 'not-configured' | 'follower' | 'too-large' | 'invalid' | 'failed';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * `POST /webhooks/alertmanager`: Alertmanager's webhook receiver (payload
 * version 4). In order: no token configured, 503; a missing or wrong bearer
 * token, 401 (compared in constant time; nothing is read or stored); a
 * follower, 503 with Retry-After (only the leader writes; Alertmanager
 * retries); a body over 1 MiB, 413; a body that is not JSON or not the
 * payload, 400 naming the problem; then the alerts become signal reports,
 * `submit` applies them, and the answer is 200 once it resolved (500 when it
 * failed: Alertmanager retries 5xx, not 4xx).
 */
export class AlertmanagerPart implements RouteProvider {
  readonly routes: readonly Route[];
  private readonly expected: Buffer | undefined;
  private readonly outcomes?: { inc(labels: { outcome: Outcome }): void };
  private readonly signals?: { inc(labels: { type: SignalReport['type'] }): void };

  constructor(private readonly options: AlertmanagerPartOptions) {
    this.expected = options.token ? digest(options.token) : undefined;
    this.outcomes = options.metrics?.counter('cmdb_alertmanager_notifications_total', 'Alertmanager notifications received, by outcome (accepted, unauthorized, not-configured, follower, too-large, invalid, failed).', ['outcome']);
    this.signals = options.metrics?.counter('cmdb_alertmanager_signals_total', 'Signal reports made from accepted Alertmanager notifications, by type (fire, clear).', ['type']);
    this.routes = [{ methods: ['POST'], path: ALERTMANAGER_PATH, handler: (req, res) => this.handle(req, res), description: 'Alertmanager webhook receiver' }];
  }

  private answer(res: ServerResponse, outcome: Outcome, status: number, body: Record<string, unknown>): void {
    this.outcomes?.inc({ outcome });
    sendJson(res, status, body);
  }

  /** Whether the Authorization header carries the configured bearer token. */
  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    // Hashing both sides gives equal lengths, so the comparison time says nothing about the token.
    return match !== null && this.expected !== undefined && timingSafeEqual(digest(match[1]), this.expected);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { log } = this.options;
    if (this.expected === undefined) {
      req.resume();
      return this.answer(res, 'not-configured', 503, { error: 'not configured', message: `alertmanager webhook not configured: set ${ALERTMANAGER_TOKEN_ENV}` });
    }
    if (!this.authorized(req)) {
      req.resume();
      log.warn({ remote: req.socket.remoteAddress, authorization: req.headers.authorization ? 'wrong' : 'missing' }, 'alertmanager notification rejected');
      res.setHeader('www-authenticate', 'Bearer');
      return this.answer(res, 'unauthorized', 401, { error: 'unauthorized', message: `a bearer token (${ALERTMANAGER_TOKEN_ENV}) is required: set http_config.authorization.credentials in the Alertmanager receiver` });
    }
    if (!this.options.isLeader()) {
      req.resume();
      res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      return this.answer(res, 'follower', 503, { error: 'not the leader', message: 'this replica does not lead; retry (the leader takes alerts)' });
    }
    const body = await readBody(req, MAX_ALERTMANAGER_BYTES);
    if (!body.ok) return this.answer(res, body.status === 413 ? 'too-large' : 'invalid', body.status, { error: body.status === 413 ? 'payload too large' : 'bad request', message: body.message });
    let json: unknown;
    try {
      json = JSON.parse(body.data.toString('utf8'));
    } catch (e) {
      return this.answer(res, 'invalid', 400, { error: 'bad request', message: `the body is not JSON: ${(e as Error).message}` });
    }
    const parsed = parseAlertmanagerPayload(json);
    if (!parsed.ok) return this.answer(res, 'invalid', 400, { error: 'bad request', message: parsed.message });
    const now = this.options.now?.() ?? new Date().toISOString();
    const reports = signalsOfAlerts(parsed.payload, { rules: this.options.settings().alerts.labels, resolve: this.options.resolveRef(), now });
    try {
      if (reports.length > 0) await this.options.submit(reports);
    } catch (err) {
      log.error({ err, alerts: parsed.payload.alerts.length, groupKey: parsed.payload.groupKey }, 'alertmanager notification not applied');
      return this.answer(res, 'failed', 500, { error: 'not applied', message: `the alerts were not applied: ${(err as Error).message}; Alertmanager retries` });
    }
    for (const r of reports) this.signals?.inc({ type: r.type });
    log.debug({ alerts: parsed.payload.alerts.length, signals: reports.length, groupKey: parsed.payload.groupKey }, 'alertmanager notification applied');
    this.answer(res, 'accepted', 200, { status: 'accepted', alerts: parsed.payload.alerts.length, signals: reports.length });
  }
}
