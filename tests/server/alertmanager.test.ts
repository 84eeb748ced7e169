import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_INCIDENT_SETTINGS, type IncidentSettings, type RefResolver, type SignalReport } from '../../incidents/types.ts';
import { AlertmanagerPart, ALERTMANAGER_PATH, MAX_ALERTMANAGER_BYTES, type AlertmanagerPartOptions } from '../../server/AlertmanagerPart.ts';
import type { RunningHttpServer } from '../../server/listen.ts';
import { ServerMetrics } from '../../server/metrics.ts';
import { serveRoutes } from '../helpers/http.ts';
import { waitFor } from '../helpers/waitFor.ts';

const TOKEN = 's3cret-token-for-tests';
const NOW = '2026-12-03T00:00:00.000Z';
const firing = readFileSync(path.join(import.meta.dirname, '../fixtures/alertmanager/firing.json'), 'utf8');
const resolved = readFileSync(path.join(import.meta.dirname, '../fixtures/alertmanager/resolved.json'), 'utf8');
const settings: IncidentSettings = { ...DEFAULT_INCIDENT_SETTINGS, alerts: { labels: [{ label: 'service', ref: 'component:{value}' }] } };
const resolver: RefResolver = (typed) => ({ api: 'component:default/api', 'component:api': 'component:default/api', 'component:shop/checkout': 'component:shop/checkout' })[typed];

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The part on a real server; what it submitted, logged and counted. */
async function serve(options: Partial<AlertmanagerPartOptions> = {}) {
  const submitted: SignalReport[][] = [];
  const logged: string[] = [];
  const metrics = new ServerMetrics();
  const part = new AlertmanagerPart({
    token: TOKEN,
    submit: async (reports) => void submitted.push(reports),
    isLeader: () => true,
    resolveRef: () => resolver,
    settings: () => settings,
    log: pino({ level: 'debug' }, { write: (line: string) => void logged.push(line) }),
    metrics,
    now: () => NOW,
    ...options,
  });
  const server = await serveRoutes(part.routes);
  servers.push(server);
  const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => fetch(`${server.url}${ALERTMANAGER_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { post, submitted, logged, metrics };
}

describe('POST /webhooks/alertmanager', () => {
  it('applies the documented firing and resolved payloads, answering 200 once submit resolved', async () => {
    const { post, submitted, metrics } = await serve();
    const res = await post(firing);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', alerts: 3, signals: 3 });
    expect(submitted).toHaveLength(1);
    expect(submitted[0].map((r) => [r.type, r.type === 'fire' ? r.signal.fingerprint : r.fingerprint, r.at])).toEqual([
      ['fire', 'alertmanager|component:default/api|alert|HighErrorRate', '2026-12-02T23:10:26.739Z'],
      ['fire', 'alertmanager|component:shop/checkout|alert|HighErrorRate', '2026-12-02T23:11:02.104Z'],
      ['fire', 'alertmanager|-|alert|HighErrorRate|93d0a6e5c2b17f44', '2026-12-02T23:11:32.500Z'],
    ]);
    expect(submitted[0][0]).toMatchObject({ signal: { ref: 'component:default/api', source: 'alertmanager', kind: 'alert', field: 'HighErrorRate', message: 'More than 5% of requests fail' } });
    expect((await post(resolved)).status).toBe(200);
    expect(submitted[1]).toEqual([
      { type: 'clear', fingerprint: 'alertmanager|component:default/api|alert|HighErrorRate', at: '2026-12-02T23:20:11.010Z' },
      { type: 'clear', fingerprint: 'alertmanager|component:shop/checkout|alert|HighErrorRate', at: '2026-12-02T23:20:11.010Z' },
      { type: 'clear', fingerprint: 'alertmanager|-|alert|HighErrorRate|93d0a6e5c2b17f44', at: '2026-12-02T23:20:41.300Z' },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('cmdb_alertmanager_notifications_total{outcome="accepted"} 2');
    expect(text).toContain('cmdb_alertmanager_signals_total{type="fire"} 3');
  });

  it('answers 401 without the bearer token or with a wrong one, submits nothing and never logs a token', async () => {
    const { post, submitted, logged } = await serve();
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${Buffer.from(`cmdb:${TOKEN}`).toString('base64')}` }, { authorization: TOKEN }]) {
      const res = await post(firing, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toMatchObject({ error: 'unauthorized' });
    }
    expect(submitted).toEqual([]);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('')).not.toContain(TOKEN);
    expect(logged.join('')).not.toContain('wrong-token');
    expect((await post(firing, { authorization: `bearer ${TOKEN}` })).status).toBe(200); // the scheme is case-insensitive
  });

  it('answers 400 naming the problem for a body that is not JSON or not the payload', async () => {
    const { post, submitted } = await serve();
    const notJson = await post('{"version": "4",');
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).message).toMatch(/^the body is not JSON: /);
    const wrong = await post(JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'pending', labels: { alertname: 'X' } }] }));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'bad request', message: 'not an Alertmanager webhook payload (version 4): /alerts/0/status must be one of firing, resolved' });
    expect(submitted).toEqual([]);
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const { post, submitted } = await serve();
    const payload = JSON.parse(firing) as { commonAnnotations: Record<string, string> };
    payload.commonAnnotations.description = 'x'.repeat(MAX_ALERTMANAGER_BYTES);
    const res = await post(JSON.stringify(payload));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload too large' });
    expect(submitted).toEqual([]);
  });

  it('answers 503 with Retry-After on a follower, which writes nothing', async () => {
    const { post, submitted } = await serve({ isLeader: () => false });
    const res = await post(firing);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(submitted).toEqual([]);
  });

  it('answers 503 saying how to configure it when no token is set', async () => {
    const { post, submitted } = await serve({ token: undefined });
    const res = await post(firing);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'not configured', message: 'alertmanager webhook not configured: set CMDB_ALERTMANAGER_TOKEN' });
    expect(submitted).toEqual([]);
  });

  it('answers 500 when submit fails, so that Alertmanager retries', async () => {
    const { post } = await serve({ submit: () => Promise.reject(new Error('incident store unavailable')) });
    const res = await post(firing);
    expect(res.status).toBe(500);
    expect((await res.json()).message).toContain('incident store unavailable');
  });

  it('answers only once submit has resolved', async () => {
    let release!: () => void;
    let calls = 0;
    const { post } = await serve({ submit: () => (calls++, new Promise<void>((r) => (release = r))) });
    let answered = false;
    const pending = post(firing).then((res) => ((answered = true), res));
    await waitFor('submit to be called', () => calls === 1);
    expect((await post(firing, {})).status).toBe(401); // a full round trip on the same server meanwhile
    expect(answered).toBe(false);
    release();
    expect((await pending).status).toBe(200);
  });
});
