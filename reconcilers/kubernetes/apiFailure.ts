import { networkErrorCode, networkErrorText } from '../networkErrors.ts';

/**
 * Why the Kubernetes API could not tell the state of an object. Every one is
 * reported as `unknown`, never `missing`: only a successful get or list says
 * an object does not exist.
 */
export interface ApiFailure {
  reason: 'unreachable' | 'unauthorized' | 'forbidden' | 'timeout' | 'no-such-resource' | 'server-error';
  /** What the reconciler asked: verb (`get`, `list`, `watch`), resource (`deployments.apps`), namespace. */
  request: ApiRequest;
  /** HTTP status when the server answered. */
  status?: number;
  /** The server's or the network's own words. */
  detail: string;
}

export interface ApiRequest {
  verb: string;
  /** Plural resource with its group: `deployments.apps`, `services`. */
  resource: string;
  namespace?: string;
}

/** The HTTP status of a client error (`ApiException.code` of @kubernetes/client-node, or `statusCode`). */
function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

function messageOf(error: unknown): string {
  const body = (error as { body?: unknown })?.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message;
  return networkErrorText(error);
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Classifies an error of a request to the API server. A 404 reaching here
 * means the resource type is not served (a missing object is a successful
 * answer the caller handles before, see `isObjectNotFound`).
 */
export function classifyApiError(error: unknown, request: ApiRequest): ApiFailure {
  const status = statusOf(error);
  const detail = messageOf(error);
  const base = { request, detail, ...(status === undefined ? {} : { status }) };
  const code = networkErrorCode(error);
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || status === 504) return { reason: 'timeout', ...base };
  if (status === 401) return { reason: 'unauthorized', ...base };
  if (status === 403) return { reason: 'forbidden', ...base };
  if (status === 404) return { reason: 'no-such-resource', ...base };
  // No HTTP answer at all: refused, reset, no route, no such host, TLS failure.
  if (status === undefined) return { reason: 'unreachable', ...base };
  return { reason: 'server-error', ...base };
}

/**
 * True when a 404 says the named object does not exist (a Status with reason
 * NotFound naming it), as opposed to the resource type not being served.
 */
export function isObjectNotFound(error: unknown, name: string): boolean {
  if (statusOf(error) !== 404) return false;
  const body = (error as { body?: unknown })?.body;
  const status = (typeof body === 'string' ? safeJson(body) : body) as { kind?: unknown; reason?: unknown; details?: { name?: unknown } } | undefined;
  return status?.kind === 'Status' && status.reason === 'NotFound' && status.details?.name === name;
}

const where = (r: ApiRequest) => (r.namespace ? `in namespace ${r.namespace}` : 'cluster-wide');

/** One line naming what failed; a 403 names the verb, resource and namespace the credentials lack. */
export function describeApiFailure(failure: ApiFailure, cluster: string): string {
  const { request: r } = failure;
  switch (failure.reason) {
    case 'forbidden':
      return `forbidden: the credentials for ${cluster} may not ${r.verb} ${r.resource} ${where(r)} (grant "${r.verb}" on ${r.resource} ${where(r)}): ${failure.detail}`;
    case 'unauthorized':
      return `unauthorized: ${cluster} rejected the credentials (401) to ${r.verb} ${r.resource} ${where(r)}`;
    case 'timeout':
      return `timeout: ${cluster} did not answer ${r.verb} ${r.resource} ${where(r)} in time`;
    case 'no-such-resource':
      return `no such resource: ${cluster} does not serve ${r.resource} (${failure.detail})`;
    case 'unreachable':
      return `unreachable: cannot reach the API server of ${cluster} to ${r.verb} ${r.resource} ${where(r)}: ${failure.detail}`;
    case 'server-error':
      return `server error ${failure.status}: ${cluster} failed to ${r.verb} ${r.resource} ${where(r)}: ${failure.detail}`;
  }
}
