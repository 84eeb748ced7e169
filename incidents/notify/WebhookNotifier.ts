import type { Logger } from 'pino';
import type { WebhookNotifier as WebhookSettings } from '../types.ts';
import { errorMessage, type Notifier, type OutgoingNotification, type SendResult } from './Notifier.ts';
import { retryAfterMs } from './retryAfter.ts';
import { signBody } from './signature.ts';

export interface WebhookNotifierOptions {
  /** One entry of `incidents.notify.webhooks`. */
  webhook: WebhookSettings;
  /** Where `secretEnv` is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  log?: Logger;
}

/** The target name of a webhook in the outbox. */
export const webhookTarget = (name: string): string => `webhook:${name}`;

/**
 * POSTs the notification's JSON to a URL (`webhook:<name>`): headers
 * `Content-Type: application/json`, `User-Agent: gitops-cmdb`, `X-Cmdb-Event`,
 * `X-Cmdb-Delivery` (the notification id, to deduplicate) and, when the
 * environment variable `secretEnv` names is set, `X-Cmdb-Signature-256`
 * (`sha256=` hex HMAC-SHA256 of the body). 2xx is delivered; a 4xx other
 * than 408 and 429 fails for good; anything else (5xx, 3xx, 408, 429,
 * timeouts, connection errors) is retried, after Retry-After on 429 and 503.
 */
export class WebhookNotifier implements Notifier {
  readonly target: string;
  private readonly secret?: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: WebhookNotifierOptions) {
    const { webhook } = options;
    this.target = webhookTarget(webhook.name);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const env = options.env ?? process.env;
    this.secret = webhook.secretEnv ? env[webhook.secretEnv] || undefined : undefined;
    if (webhook.secretEnv && !this.secret) options.log?.warn({ webhook: webhook.name, secretEnv: webhook.secretEnv }, `${webhook.secretEnv} is not set: webhook ${webhook.name} is sent unsigned`);
  }

  async send(outgoing: OutgoingNotification, signal: AbortSignal): Promise<SendResult> {
    const { webhook } = this.options;
    const { notification, body } = outgoing;
    if (webhook.events.length && !webhook.events.includes(notification.event)) return { outcome: 'skipped', detail: `webhook ${webhook.name} does not take ${notification.event}` };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'gitops-cmdb',
      'x-cmdb-event': notification.event,
      'x-cmdb-delivery': notification.id,
    };
    if (this.secret) headers['x-cmdb-signature-256'] = signBody(this.secret, body);
    let response: Response;
    try {
      response = await fetch(webhook.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]) });
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : errorMessage(cause ?? e);
      return { outcome: 'retry', error: `POST ${webhook.url}: ${why}` };
    }
    const text = (await response.text().catch(() => '')).slice(0, 200);
    const status = response.status;
    if (status >= 200 && status < 300) return { outcome: 'delivered', detail: `HTTP ${status}` };
    const error = `POST ${webhook.url}: HTTP ${status}${text ? `: ${text}` : ''}`;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { outcome: 'failed', error };
    const after = status === 429 || status === 503 ? retryAfterMs(response.headers.get('retry-after'), new Date(outgoing.payload.at)) : undefined;
    return after === undefined ? { outcome: 'retry', error } : { outcome: 'retry', error, retryAfterMs: after };
  }
}
