import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../state/DeliveryJournal.ts';
import { WebhookVerifier } from '../../controller/github/verifyWebhook.ts';
import { webhookEndpoint } from '../../controller/github/webhookEndpoint.ts';
import { deliver, example, signDelivery } from './payloads.ts';

let server: Server | undefined;
afterEach(() => server?.close());

async function endpoint(options: { maxBytes?: number } = {}) {
  const accepted: Delivery[] = [];
  server = createServer(
    webhookEndpoint({
      verifier: new WebhookVerifier({ secret: 's3cret' }),
      accept: async (d) => (accepted.some((a) => a.id === d.id) ? 'duplicate' : (accepted.push(d), 'queued')),
      maxBytes: options.maxBytes,
    }),
  );
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`, accepted };
}

describe('POST /webhooks/github', () => {
  it('queues a signed delivery with its event and id', async () => {
    const e = await endpoint();
    const r = await deliver(e.url, await signDelivery('s3cret', 'ping', 'p-1', example('ping')));
    expect(r).toEqual({ status: 202, body: { status: 'queued', id: 'p-1' } });
    expect(e.accepted.map((d) => [d.id, d.event])).toEqual([['p-1', 'ping']]);
  });

  it('accepts the form-encoded content type, verifying the raw body', async () => {
    const e = await endpoint();
    const signed = await signDelivery('s3cret', 'ping', 'p-2', {});
    const body = `payload=${encodeURIComponent(JSON.stringify(example('ping')))}`;
    const headers = { ...signed.headers, 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': await new WebhookVerifier({ secret: 's3cret' }).sign(body) };
    expect((await deliver(e.url, { headers, body })).status).toBe(202);
    expect((e.accepted[0].payload as { zen: string }).zen).toBeTruthy();
  });

  it('refuses other methods, missing headers, bodies that are not JSON, and oversized ones', async () => {
    const e = await endpoint({ maxBytes: 1000 });
    expect((await fetch(e.url)).status).toBe(405);
    const noEvent = await signDelivery('s3cret', 'ping', 'p-3', {});
    delete noEvent.headers['x-github-event'];
    expect((await deliver(e.url, noEvent)).status).toBe(400);
    const notJson = { headers: { ...noEvent.headers, 'x-github-event': 'ping', 'x-hub-signature-256': await new WebhookVerifier({ secret: 's3cret' }).sign('nope') }, body: 'nope' };
    expect((await deliver(e.url, notJson)).status).toBe(400);
    expect((await deliver(e.url, await signDelivery('s3cret', 'ping', 'p-4', { pad: 'x'.repeat(2000) }))).status).toBe(413);
    expect(e.accepted).toEqual([]);
  });
});
