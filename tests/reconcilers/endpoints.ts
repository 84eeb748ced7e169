import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP endpoint on 127.0.0.1 whose behaviour a test can flip. */
export interface Endpoint {
  url: string;
  /** Status it answers now; `hang` never answers. */
  set(behaviour: number | 'hang'): void;
  /** The next requests get these statuses, in order, before the current behaviour again. */
  script(statuses: number[]): void;
  /** Statuses answered so far, in order (a hung request adds nothing). */
  readonly answered: number[];
  /** Most requests in flight at once so far. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** Starts an endpoint answering `behaviour`, each answer after `delayMs`. */
export async function startEndpoint(behaviour: number | 'hang', delayMs = 0): Promise<Endpoint> {
  let current = behaviour;
  let inFlight = 0;
  let maxInFlight = 0;
  const answered: number[] = [];
  const scripted: number[] = [];
  const hung = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const next = scripted.shift() ?? current;
    if (next === 'hang') {
      hung.add(res);
      return;
    }
    const status = next;
    setTimeout(() => {
      answered.push(status);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}\n`);
    }, delayMs);
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    set: (b) => {
      current = b;
    },
    script: (statuses) => {
      scripted.push(...statuses);
    },
    answered,
    get maxInFlight() {
      return maxInFlight;
    },
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL where nothing listens (a port just released). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/healthz`;
}

/** Resolves once `predicate` holds, checking every 5 ms; rejects with `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
