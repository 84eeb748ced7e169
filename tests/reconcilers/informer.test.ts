/**
 * The Informer against a loopback server speaking the API's list and watch
 * protocol, for what a real API server will not do on demand: forget the
 * history a watch asks for (410 Gone), and fail a watch mid-way.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../reconcilers/kubernetes/client.ts';
import { Informer, type InformerState } from '../../reconcilers/kubernetes/informer.ts';
import { until } from './endpoints.ts';

interface Fake {
  url: string;
  lists: number;
  watches: string[];
  close(): Promise<void>;
}

const deployment = (name: string, rv: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop', resourceVersion: rv } });

/** Serves discovery, a list of two Deployments, and each watch request through `onWatch`. */
async function fake(onWatch: (res: ServerResponse, n: number) => void): Promise<Fake> {
  const state = { lists: 0, watches: [] as string[] };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (body: unknown, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/apis/apps/v1') return json({ kind: 'APIResourceList', resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }] });
    if (url.pathname === '/apis/apps/v1/namespaces/shop/deployments' && url.searchParams.get('watch') === 'true') {
      state.watches.push(url.searchParams.get('resourceVersion') ?? '');
      return onWatch(res, state.watches.length);
    }
    if (url.pathname === '/apis/apps/v1/namespaces/shop/deployments') {
      state.lists++;
      return json({ kind: 'DeploymentList', metadata: { resourceVersion: `${state.lists * 100}` }, items: [deployment('a', '1'), deployment('b', '2')] });
    }
    json({ kind: 'Status', code: 404, reason: 'NotFound' }, 404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get lists() {
      return state.lists;
    },
    get watches() {
      return state.watches;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function client(url: string): KubeClient {
  const config = new KubeConfig();
  config.loadFromOptions({ clusters: [{ name: 'c', server: url, skipTLSVerify: true }], users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  return new KubeClient({ config });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function informer(server: Fake, seen: InformerState[]): Informer {
  const i: Informer = new Informer({ client: client(server.url), apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', backoff: { initialMs: 20, maxMs: 100 }, onChange: () => seen.push(i.state) });
  i.start();
  cleanups.push(() => i.stop());
  return i;
}

const names = (s: InformerState) => (s.status === 'synced' ? [...s.objects.keys()] : s.status);

describe('Informer', () => {
  it('a 410 Gone watch event relists: never a state without the objects that exist', async () => {
    const server = await fake((res, n) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (n === 1) res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } })}\n`);
      else res.flushHeaders(); // later watches stay open
    });
    cleanups.push(() => server.close());
    const seen: InformerState[] = [];
    informer(server, seen);
    await until(() => server.lists === 2 && server.watches.length === 2, 'the relist and the second watch');
    expect(server.watches).toEqual(['100', '200']);
    expect(seen.map(names)).toEqual([['shop/a', 'shop/b'], ['shop/a', 'shop/b']]);
  });

  it('a watch that fails (500) marks the state failed, backs off, relists and recovers; objects keep apiVersion and kind', async () => {
    const server = await fake((res, n) => {
      if (n === 1) res.writeHead(500).end();
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'MODIFIED', object: deployment('a', '300') })}\n`);
      }
    });
    cleanups.push(() => server.close());
    const seen: InformerState[] = [];
    const i = informer(server, seen);
    await until(() => seen.length === 4, 'list, failure, relist, event');
    expect(seen.map((s) => s.status)).toEqual(['synced', 'failed', 'synced', 'synced']);
    expect(seen[1]).toMatchObject({ failure: { reason: 'server-error', status: 500, request: { verb: 'watch', resource: 'deployments.apps', namespace: 'shop' } } });
    expect(server.lists).toBe(2);
    expect(i.state.status === 'synced' && i.state.objects.get('shop/b')).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
  });
});
