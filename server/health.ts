import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphStore } from '../graph/GraphStore.ts';
import type { ChangeStore } from '../state/ChangeStore.ts';
import { sendJson, type Route, type RouteProvider } from './router.ts';

export interface HealthCheck {
  ok: boolean;
  message?: string;
  /** Figures a probe or a person reads (the commit, the violation count...). */
  details?: Record<string, string | number | boolean | null>;
}

/** One named check of /readyz, given by the part it is about (the follower, a store). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<HealthCheck>;
}

/** Body of /readyz (and /healthz): `ok` when every check is. */
export interface ReadinessBody {
  status: 'ok' | 'unhealthy';
  /** The served commit, when the catalog check knows it. */
  commit: string | null;
  /** Violations of the served commit. */
  violations: number;
  checks: Record<string, HealthCheck>;
}

/** A check that does not settle within this many milliseconds fails. */
export const HEALTH_TIMEOUT_MS = 5000;

export const LIVEZ_PATH = '/livez';
export const READYZ_PATH = '/readyz';
export const HEALTHZ_PATH = '/healthz';

export interface HealthOptions {
  checks: readonly ReadinessCheck[];
  timeoutMs?: number;
  /** Process start (for /livez's uptime); default: now. */
  startedAt?: number;
}

/**
 * `/livez`: the process is up and answering (200 always, with its uptime).
 * `/readyz` (and `/healthz`, its alias): every check, run in parallel with a
 * timeout, 200 when all pass, 503 with the failing ones otherwise.
 */
export class Health implements RouteProvider {
  readonly routes: readonly Route[];
  private readonly options: HealthOptions;
  private readonly startedAt: number;

  constructor(options: HealthOptions) {
    this.options = options;
    this.startedAt = options.startedAt ?? performance.now();
    const ready = (req: IncomingMessage, res: ServerResponse) => this.serveReady(res);
    this.routes = [
      { methods: ['GET'], path: LIVEZ_PATH, handler: (_req, res) => sendJson(res, 200, { status: 'ok', uptimeSeconds: Math.round((performance.now() - this.startedAt) / 1000) }), description: 'liveness' },
      { methods: ['GET'], path: READYZ_PATH, handler: ready, description: 'readiness, with details' },
      { methods: ['GET'], path: HEALTHZ_PATH, handler: ready, description: 'alias of /readyz' },
    ];
  }

  /** Runs every check; one that throws or hangs fails. */
  async readiness(): Promise<ReadinessBody> {
    const timeoutMs = this.options.timeoutMs ?? HEALTH_TIMEOUT_MS;
    const results = await Promise.all(this.options.checks.map(async (c) => [c.name, await runCheck(c, timeoutMs)] as const));
    const checks = Object.fromEntries(results);
    const catalog = checks.catalog?.details ?? {};
    return {
      status: results.every(([, r]) => r.ok) ? 'ok' : 'unhealthy',
      commit: typeof catalog.commit === 'string' ? catalog.commit : null,
      violations: typeof catalog.violations === 'number' ? catalog.violations : 0,
      checks,
    };
  }

  private async serveReady(res: ServerResponse): Promise<void> {
    const body = await this.readiness();
    sendJson(res, body.status === 'ok' ? 200 : 503, body);
  }
}

async function runCheck(c: ReadinessCheck, timeoutMs: number): Promise<HealthCheck> {
  try {
    return await withTimeout(c.check(), timeoutMs);
  } catch (e) {
    return { ok: false, message: messageOf(e) };
  }
}

/** The graph store answers queries. */
export function graphStoreCheck(store: GraphStore): ReadinessCheck {
  return {
    name: 'graphStore',
    check: async () => ((await store.healthy()) ? { ok: true, message: store.name } : { ok: false, message: `${store.name} cannot answer queries` }),
  };
}

/** The change store answers a read. */
export function changeStoreCheck(store: ChangeStore): ReadinessCheck {
  return {
    name: 'changeStore',
    check: async () => {
      await store.getChange('readiness-probe#0');
      return { ok: true, message: store.name };
    },
  };
}

/** `promise`, or a rejection after `ms` milliseconds. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
