import { networkErrorCode, networkErrorText } from '../networkErrors.ts';
import type { HttpBinding } from '../types.ts';

/** One probe's result: the endpoint answered as expected, or why not. */
export type ProbeOutcome = { ok: true; status: number } | { ok: false; finding: 'unhealthy' | 'unknown'; message: string };

/**
 * Network error codes that say nothing about the endpoint: the probing side
 * could not resolve its name (outside the cluster, a DNS outage). Every
 * other failure (refused, reset, timed out, TLS, wrong status) is the
 * endpoint's, so `unhealthy`.
 */
export const UNKNOWN_ERROR_CODES: readonly string[] = ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL'];

/** Readable names of the usual network error codes. */
const ERROR_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  EAI_FAIL: 'host name lookup failed',
  UND_ERR_SOCKET: 'connection closed by the endpoint',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
};

const statusOk = (binding: HttpBinding, status: number): boolean =>
  binding.expectStatus === undefined ? status >= 200 && status < 300 : status === binding.expectStatus;

/**
 * Requests the binding's URL once, redirects not followed (the endpoint
 * named is the one judged), and reads only the status: the body is
 * discarded. `stop` aborts it (the outcome is then irrelevant: undefined).
 */
export async function probe(binding: HttpBinding, stop?: AbortSignal): Promise<ProbeOutcome | undefined> {
  const what = `${binding.method} ${binding.target.url}`;
  const timeout = AbortSignal.timeout(binding.timeoutMs);
  const signal = stop ? AbortSignal.any([stop, timeout]) : timeout;
  try {
    const response = await fetch(binding.target.url, { method: binding.method, headers: binding.headers, redirect: 'manual', signal });
    await response.body?.cancel().catch(() => undefined);
    if (statusOk(binding, response.status)) return { ok: true, status: response.status };
    const wanted = binding.expectStatus === undefined ? 'a 2xx status' : String(binding.expectStatus);
    return { ok: false, finding: 'unhealthy', message: `${what} answered ${response.status}, expected ${wanted}` };
  } catch (error) {
    if (stop?.aborted) return undefined;
    if (timeout.aborted) return { ok: false, finding: 'unhealthy', message: `${what} did not answer within ${binding.timeoutMs} ms` };
    return classifyProbeError(error, what);
  }
}

/** The outcome of a probe that failed before any answer (not a timeout or a stop). */
export function classifyProbeError(error: unknown, what: string): ProbeOutcome {
  const code = networkErrorCode(error);
  const text = code ? `${ERROR_TEXT[code] ?? 'request failed'} (${code})` : `request failed: ${networkErrorText(error)}`;
  const finding = code !== undefined && UNKNOWN_ERROR_CODES.includes(code) ? 'unknown' : 'unhealthy';
  return { ok: false, finding, message: `${what}: ${text}` };
}
