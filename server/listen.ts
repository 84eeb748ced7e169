import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CmdbError } from '../core/errors.ts';
import type { RequestListener } from './router.ts';

export interface ListenOptions {
  listener: RequestListener;
  port: number;
  host: string;
}

/** An HTTP server that listens. */
export interface RunningHttpServer {
  /** `http://127.0.0.1:4000`. */
  url: string;
  port: number;
  /** Takes no new connections and closes idle ones; requests in progress finish. */
  stopAccepting(): Promise<void>;
  /** Closes every connection at once. */
  close(): Promise<void>;
}

/** Listens on host:port (0: a free port); a port in use or not allowed is a CmdbError saying how to choose another. */
export async function listen(options: ListenOptions): Promise<RunningHttpServer> {
  const server = createServer(options.listener);
  // Longer than clients' keep-alive (undici: 4 s), so a client never reuses a
  // connection the server is closing at that moment (ECONNRESET under load).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, options)));
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const closed = closeOnce(server);
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    async stopAccepting() {
      server.closeIdleConnections();
      // Keep-alive connections go idle as their last request ends; close them then.
      server.on('request', (_req, res) => res.once('finish', () => server.closeIdleConnections()));
      await Promise.race([closed(), new Promise((r) => setImmediate(r))]);
    },
    async close() {
      server.closeAllConnections();
      await closed();
    },
  };
}

function closeOnce(server: Server): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= new Promise<void>((resolve) => server.close(() => resolve())));
}

function listenError(e: NodeJS.ErrnoException, o: ListenOptions): Error {
  const how = 'choose another with --port N or the PORT environment variable (0 picks a free port)';
  if (e.code === 'EADDRINUSE') return new CmdbError(`port ${o.port} on ${o.host} is already in use: ${how}`, { code: 'usage', cause: e });
  if (e.code === 'EACCES') return new CmdbError(`port ${o.port} on ${o.host} needs privileges this process does not have: ${how}`, { code: 'usage', cause: e });
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') return new CmdbError(`cannot listen on ${o.host}: no such local address; choose another with --host`, { code: 'usage', cause: e });
  return new CmdbError(`cannot listen on ${o.host}:${o.port}: ${e.message}`, { code: 'usage', cause: e });
}
