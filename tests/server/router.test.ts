import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHttpServer } from '../../server/listen.ts';
import { createRouter, sendJson, type Route } from '../../server/router.ts';
import { serveRoutes } from '../helpers/http.ts';

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const seen: Array<{ route: string; method: string; status: number }> = [];
async function serve(routes: Route[]): Promise<string> {
  seen.length = 0;
  const server = await serveRoutes(routes, ({ route, method, status }) => seen.push({ route, method, status }));
  servers.push(server);
  return server.url;
}

const routes: Route[] = [
  { methods: ['GET'], path: '/hello', handler: (_req, res) => sendJson(res, 200, { hello: 'world' }), description: 'greeting' },
  { methods: ['POST'], path: '/hooks/:source', handler: (_req, res, params) => sendJson(res, 202, { source: params.source }) },
  { methods: ['GET'], path: '/files/*', handler: (_req, res, params) => sendJson(res, 200, { file: params['*'] }) },
  {
    methods: ['GET'],
    path: '/broken',
    handler: async () => {
      throw new Error('handler bug');
    },
  },
];

describe('the router', () => {
  it('dispatches by method and path, with parameters and wildcards', async () => {
    const url = await serve(routes);
    expect(await (await fetch(`${url}/hello`)).json()).toEqual({ hello: 'world' });
    const hook = await fetch(`${url}/hooks/alertmanager`, { method: 'POST' });
    expect(hook.status).toBe(202);
    expect(await hook.json()).toEqual({ source: 'alertmanager' });
    expect(await (await fetch(`${url}/files/app/main.js`)).json()).toEqual({ file: 'app/main.js' });
  });

  it('answers HEAD where GET is served, without a body', async () => {
    const url = await serve(routes);
    const head = await fetch(`${url}/hello`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 JSON naming what is served, and 405 with Allow for a known path', async () => {
    const url = await serve(routes);
    for (const p of ['/', '/nope', '/hello/extra', '/hooks']) {
      const res = await fetch(`${url}${p}`);
      expect(res.status, p).toBe(404);
      expect(await res.json(), p).toEqual({ error: 'not found', message: `Nothing at ${p}. Served here: /hello (greeting).` });
    }
    const post = await fetch(`${url}/hello`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toMatchObject({ error: 'method not allowed' });
    const get = await fetch(`${url}/hooks/github`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers 500 JSON when a handler fails, and keeps serving', async () => {
    const url = await serve(routes);
    const res = await fetch(`${url}/broken`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error', message: 'handler bug' });
    expect((await fetch(`${url}/hello`)).status).toBe(200);
  });

  it('reports every answered request by declared route (unmatched for a 404)', async () => {
    const url = await serve(routes);
    await fetch(`${url}/hooks/a`, { method: 'POST' });
    await fetch(`${url}/hooks/b`, { method: 'POST' });
    await fetch(`${url}/nope`);
    await fetch(`${url}/hello`, { method: 'DELETE' });
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([
      { route: '/hooks/:source', method: 'POST', status: 202 },
      { route: '/hooks/:source', method: 'POST', status: 202 },
      { route: 'unmatched', method: 'GET', status: 404 },
      { route: '/hello', method: 'DELETE', status: 405 },
    ]);
  });

  it('refuses two routes for the same method and path', () => {
    const twice: Route[] = [routes[0], { ...routes[0], handler: () => undefined }];
    expect(() => createRouter({ routes: twice })).toThrow(/two routes for GET\/HEAD \/hello/);
  });
});
