import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { sendJson, type Route, type RouteProvider } from './router.ts';

/**
 * The paths the web UI routes itself (web/App.tsx ROUTES): each answers
 * index.html, so a deep link or a reload works. Keep the two lists in step.
 */
export const CLIENT_ROUTES = ['/', '/entities/*', '/path', '/changes', '/changes/*', '/incidents', '/incidents/*', '/problems', '/problems/*', '/kpis', '/auth/callback'] as const;
/** The built scripts and stylesheets (hashed names). */
export const ASSETS_ROUTE = '/ui/*';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
/** esbuild's content hash in a file name (`app-KI6CIXYY.js`): such a file never changes. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
/** The page loads only from its origin (and talks to the OIDC issuer's origins when given); Cytoscape.js sets style attributes on its canvas. */
const pageHeaders = (connect: readonly string[]) => ({
  'content-security-policy': `default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src ${["'self'", ...connect].join(' ')}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
});

/** dist/web of the installation: the first folder above this file with a package.json (sources, dist/main.js or a dev bundle alike). */
export function defaultWebDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'web');
    if (path.dirname(dir) === dir) return path.join(from, 'dist', 'web');
  }
}

export interface WebPartOptions {
  /** The built UI (`npm run build:web`); default: dist/web of the installation (CMDB_WEB_DIR overrides it in startRuntime). */
  dir?: string;
  /** Origins the page may fetch from besides its own: the OIDC issuer's (discovery and token endpoint of the SSO sign-in). */
  connectOrigins?: readonly string[];
}

/**
 * Serves the web UI built ahead of time by bin/build-web.js: index.html at
 * `/` and every client route (no-cache), the hashed assets at `/ui/*` (cached
 * for a year, gzip when the client accepts it). Files are read per request, so
 * a rebuild is served without a restart; without a build, the page says how to make one.
 */
export class WebPart implements RouteProvider {
  readonly dir: string;
  readonly routes: readonly Route[];
  private readonly headers: Record<string, string>;

  constructor(options: WebPartOptions = {}) {
    this.dir = path.resolve(options.dir ?? defaultWebDir());
    this.headers = pageHeaders(options.connectOrigins ?? []);
    this.routes = [
      ...CLIENT_ROUTES.map((p, i): Route => ({ methods: ['GET'], path: p, handler: (req, res) => this.page(req, res), ...(i === 0 ? { description: 'the web UI' } : {}) })),
      { methods: ['GET'], path: ASSETS_ROUTE, handler: (req, res, params) => this.asset(req, res, params['*'] ?? '') },
    ];
  }

  private async page(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let html: Buffer;
    try {
      html = await fs.promises.readFile(path.join(this.dir, 'index.html'));
    } catch {
      const text = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>cmdb</title></head><body><h1>The web UI is not built</h1><p>No index.html in ${escapeHtml(this.dir)}: run <code>npm run build:web</code> (npm ci does it). The GraphQL API is at <a href="/graphql">/graphql</a>.</p></body></html>`;
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...this.headers });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-length': html.length, ...this.headers });
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  private async asset(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const root = path.join(this.dir, 'ui');
    const file = path.resolve(root, name);
    const type = TYPES[path.extname(file)];
    if (!type || name.includes('\0') || !file.startsWith(root + path.sep)) return sendJson(res, 404, { error: 'not found', message: `No asset ${name}.` });
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && (await isFile(`${file}.gz`));
    const served = gzip ? `${file}.gz` : file;
    const stat = await fs.promises.stat(served).catch(() => undefined);
    if (!stat?.isFile()) return sendJson(res, 404, { error: 'not found', message: `No asset ${name}.` });
    res.writeHead(200, {
      'content-type': type,
      'content-length': stat.size,
      'cache-control': HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(fs.createReadStream(served), res);
  }
}

const isFile = (file: string) => fs.promises.stat(file).then((s) => s.isFile(), () => false);
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
