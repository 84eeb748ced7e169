/**
 * WebPart over real HTTP: index.html for every client route (no-cache, CSP),
 * the built assets with their content types, year-long caching of hashed
 * names and gzip when accepted; nothing outside the build is reachable, and a
 * missing build answers a page saying how to make one.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHttpServer } from '../../server/listen.ts';
import { CLIENT_ROUTES, defaultWebDir, WebPart } from '../../server/WebPart.ts';
import { serveRoutes } from '../helpers/http.ts';

let dir: string;
let server: RunningHttpServer;
let unbuilt: RunningHttpServer;
const SCRIPT = 'console.log("app");\n'.repeat(50);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-webpart-'));
  fs.mkdirSync(path.join(dir, 'web/ui'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'web/index.html'), '<!doctype html><title>cmdb</title><div id="app"></div>');
  fs.writeFileSync(path.join(dir, 'web/ui/app-ABCDEFGH.js'), SCRIPT);
  fs.writeFileSync(path.join(dir, 'web/ui/app-ABCDEFGH.js.gz'), zlib.gzipSync(SCRIPT));
  fs.writeFileSync(path.join(dir, 'web/ui/app-ABCDEFGH.css'), 'body{}');
  fs.writeFileSync(path.join(dir, 'web/ui/notes.txt'), 'not hashed');
  fs.writeFileSync(path.join(dir, 'secret.json'), '{"secret":true}');
  server = await serveRoutes(new WebPart({ dir: path.join(dir, 'web') }).routes);
  unbuilt = await serveRoutes(new WebPart({ dir: path.join(dir, 'nothing') }).routes);
});
afterAll(async () => {
  await server?.close();
  await unbuilt?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A raw GET (no URL normalisation, no automatic decompression). */
function get(base: string, rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${rawPath}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('WebPart', () => {
  it.each(['/', '/entities/component:shop/cart', '/entities/resource:default/redis', '/path?from=a&to=b', '/changes', '/changes/17', '/incidents', '/incidents/abc', '/kpis'])('%s answers index.html, not cached, with a content security policy', async (p) => {
    const res = await get(server.url, p);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.body.toString()).toContain('<div id="app">');
  });

  it('serves every client route the UI has (web/App.tsx) and no other', () => {
    const app = fs.readFileSync(path.resolve(import.meta.dirname, '../../web/App.tsx'), 'utf8');
    const patterns = [...app.matchAll(/pattern: '([^']+)'/g)].map((m) => m[1].replace(/:[a-z]+$/, '*'));
    expect([...new Set(patterns)].sort()).toEqual([...CLIENT_ROUTES].sort());
  });

  it('serves hashed assets for a year, gzip when accepted, with their content types', async () => {
    const plain = await get(server.url, '/ui/app-ABCDEFGH.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);

    const gz = await get(server.url, '/ui/app-ABCDEFGH.js', { 'accept-encoding': 'gzip, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('accept-encoding');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(SCRIPT);

    const css = await get(server.url, '/ui/app-ABCDEFGH.css', { 'accept-encoding': 'gzip' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['content-encoding']).toBeUndefined(); // no .gz beside it
    expect(css.body.toString()).toBe('body{}');

    const txt = await get(server.url, '/ui/notes.txt');
    expect(txt.headers['cache-control']).toBe('no-cache');

    const head = await get(server.url, '/ui/app-ABCDEFGH.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(SCRIPT.length));
    expect(head.body.length).toBe(0);
  });

  it.each(['/ui/missing-ABCDEFGH.js', '/ui/..%2Fsecret.json', '/ui/../../secret.json', '/ui/%2e%2e/%2e%2e/secret.json', '/ui/app-ABCDEFGH.exe'])('%s is a 404 JSON answer', async (p) => {
    const res = await get(server.url, p);
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('"secret":true');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('without a build, the page says how to build it', async () => {
    const res = await get(unbuilt.url, '/entities/component:shop/cart');
    expect(res.status).toBe(503);
    expect(res.body.toString()).toContain('npm run build:web');
  });

  it('finds dist/web above the code, wherever it was bundled to', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-webroot-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    fs.mkdirSync(path.join(root, 'dist/dev/b-1'), { recursive: true });
    expect(defaultWebDir(path.join(root, 'dist/dev/b-1'))).toBe(path.join(root, 'dist/web'));
    expect(defaultWebDir(path.join(root, 'dist'))).toBe(path.join(root, 'dist/web'));
    fs.rmSync(root, { recursive: true, force: true });
  });
});
