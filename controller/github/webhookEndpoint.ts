import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Delivery } from '../../state/DeliveryJournal.ts';
import type { WebhookVerifier } from './verifyWebhook.ts';

export const WEBHOOK_PATH = '/webhooks/github';

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

export interface WebhookEndpointOptions {
  verifier: WebhookVerifier;
  /** Durably queues a verified delivery; resolves once it survives a crash. */
  accept(delivery: Delivery): Promise<'queued' | 'duplicate'>;
  maxBytes?: number;
  log?: Logger;
}

export type Body = { ok: true; data: Buffer } | { ok: false; status: number; message: string };

/** The raw body, or why not: too large (the rest is read and dropped, so the client gets the answer). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? { ok: false, status: 413, message: `payload larger than ${maxBytes} bytes` } : { ok: true, data: Buffer.concat(chunks) }));
    req.on('error', (e) => resolve({ ok: false, status: 400, message: e.message }));
  });
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The payload of either content type GitHub sends. */
function parsePayload(data: Buffer, contentType: string | undefined): unknown {
  const text = data.toString('utf8');
  if (contentType?.startsWith('application/x-www-form-urlencoded')) return JSON.parse(new URLSearchParams(text).get('payload') ?? '');
  return JSON.parse(text);
}

/**
 * `POST /webhooks/github`: verifies the signature on the raw body (401 when
 * missing or wrong: nothing is queued), then queues the delivery durably and
 * answers 202 (200 for a delivery id already seen). Processing happens later.
 */
export function webhookEndpoint(options: WebhookEndpointOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBytes = options.maxBytes ?? MAX_PAYLOAD_BYTES;
  return (req, res) => {
    void handle(req, res).catch((e: unknown) => {
      options.log?.error({ err: e }, 'webhook delivery not queued');
      send(res, 500, { error: 'delivery not queued', message: (e as Error).message });
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, { error: 'method not allowed', message: `${WEBHOOK_PATH} takes POST from GitHub` });
    }
    const body = await readBody(req, maxBytes);
    if (!body.ok) return send(res, body.status, { error: body.message });
    const verified = await options.verifier.verify(body.data, header(req, 'x-hub-signature-256'));
    if (!verified.ok) {
      options.log?.warn({ reason: verified.reason, delivery: header(req, 'x-github-delivery') }, 'webhook rejected');
      return send(res, 401, { error: verified.reason === 'missing-signature' ? 'missing X-Hub-Signature-256' : 'signature does not match' });
    }
    const id = header(req, 'x-github-delivery');
    const event = header(req, 'x-github-event');
    if (!id || !event) return send(res, 400, { error: 'missing X-GitHub-Delivery or X-GitHub-Event' });
    let payload: unknown;
    try {
      payload = parsePayload(body.data, header(req, 'content-type'));
    } catch {
      return send(res, 400, { error: 'payload is not JSON (webhook content type application/json or application/x-www-form-urlencoded)' });
    }
    const status = await options.accept({ id, event, receivedAt: new Date().toISOString(), payload });
    send(res, status === 'queued' ? 202 : 200, { status, id });
  }
}
