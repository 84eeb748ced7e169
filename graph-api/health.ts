import type { GraphStore } from '../graph/GraphStore.ts';

export interface HealthCheck {
  ok: boolean;
  message?: string;
}

export interface HealthReport {
  ok: boolean;
  checks: Record<string, HealthCheck>;
}

/** Extra checks of the process serving the API (e.g. the last sync error). */
export type HealthProbe = () => Promise<HealthReport>;

/** Body of /healthz: `status` is `ok` when the store and every check are healthy. */
export type HealthBody =
  | { status: 'ok'; commit: string | null; checks: Record<string, HealthCheck> }
  | { status: 'unhealthy'; checks: Record<string, HealthCheck> };

/** A check that does not settle within this many milliseconds fails. */
export const HEALTH_TIMEOUT_MS = 5000;

/** Runs the store's check (as `graphStore`) and the probe's; a probe that throws or hangs is a failed check. */
export async function checkHealth(store: GraphStore, probe?: HealthProbe, timeoutMs = HEALTH_TIMEOUT_MS): Promise<HealthBody> {
  const [storeCheck, extra] = await Promise.all([checkStore(store, timeoutMs), runProbe(probe, timeoutMs)]);
  const checks = { graphStore: storeCheck, ...extra.checks };
  const ok = extra.ok && Object.values(checks).every((c) => c.ok);
  if (!ok) return { status: 'unhealthy', checks };
  const commit = await withTimeout(store.commit(), timeoutMs).catch(() => undefined);
  return { status: 'ok', commit: commit ?? null, checks };
}

async function checkStore(store: GraphStore, timeoutMs: number): Promise<HealthCheck> {
  try {
    const healthy = await withTimeout(store.healthy(), timeoutMs);
    return healthy ? { ok: true, message: store.name } : { ok: false, message: `${store.name} cannot answer queries` };
  } catch (e) {
    return { ok: false, message: `${store.name}: ${messageOf(e)}` };
  }
}

async function runProbe(probe: HealthProbe | undefined, timeoutMs: number): Promise<HealthReport> {
  if (probe === undefined) return { ok: true, checks: {} };
  try {
    const report = await withTimeout(probe(), timeoutMs);
    const checks = { ...report.checks };
    if (!report.ok && Object.values(checks).every((c) => c.ok)) checks.health = { ok: false, message: 'the health probe reported a failure' };
    return { ok: report.ok, checks };
  } catch (e) {
    return { ok: false, checks: { health: { ok: false, message: messageOf(e) } } };
  }
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
