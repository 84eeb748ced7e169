import { KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { fetch } from 'undici';
import type { JsonObject } from '../types.ts';

/** The error of a request the API server answered with a status other than 2xx: `classifyApiError` reads it. */
export class KubeHttpError extends Error {
  constructor(
    readonly statusCode: number,
    /** The raw body (a `Status` object as JSON, usually). */
    readonly body: string,
  ) {
    super(`HTTP ${statusCode}`);
  }
}

/** A served resource: what the API calls a kind in its URLs. */
export interface ServedResource {
  /** Plural name, e.g. `deployments`. */
  plural: string;
  namespaced: boolean;
}

/** A watch event as the API streams it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: JsonObject;
}

/** The prefix of a group version's URLs: `/api/v1` (core) or `/apis/apps/v1`. */
export const groupVersionPath = (apiVersion: string): string => (apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);

/** The URL path listing a resource, in one namespace or cluster-wide. */
export function collectionPath(apiVersion: string, resource: ServedResource, namespace: string | undefined): string {
  const ns = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(apiVersion)}${ns}/${resource.plural}`;
}

/**
 * Read-only access to one cluster through one kubeconfig context: discovery,
 * get/list, watch. Errors are thrown as they come (a `KubeHttpError`, or the
 * network error of fetch) for `classifyApiError`.
 */
export class KubeClient {
  private readonly discovered = new Map<string, Promise<JsonObject>>();

  constructor(private readonly options: { config: KubeConfig; requestTimeoutMs?: number }) {}

  /** GET a path of the API; the parsed JSON body. */
  async get(path: string, signal?: AbortSignal): Promise<JsonObject> {
    const cluster = this.options.config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig context names no cluster');
    const context = new RequestContext(`${cluster.server}${path}`, 'GET' as never);
    await this.options.config.applySecurityAuthentication(context);
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000);
    const response = await fetch(context.getUrl(), {
      method: 'GET',
      headers: { ...context.getHeaders(), accept: 'application/json' },
      dispatcher: context.getDispatcher() as never,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await response.text();
    if (response.status < 200 || response.status > 299) throw new KubeHttpError(response.status, text);
    return JSON.parse(text) as JsonObject;
  }

  /**
   * The resource serving `kind` in `apiVersion`, from discovery (cached; a
   * failure is not). A group version the server does not serve throws its
   * 404; a kind it does not have throws a 404 `KubeHttpError` saying so.
   */
  async resourceFor(apiVersion: string, kind: string): Promise<ServedResource> {
    let list = this.discovered.get(apiVersion);
    if (!list) {
      list = this.get(groupVersionPath(apiVersion));
      this.discovered.set(apiVersion, list);
      list.catch(() => this.discovered.delete(apiVersion));
    }
    const resources = ((await list).resources ?? []) as JsonObject[];
    const found = resources.find((r) => r.kind === kind && typeof r.name === 'string' && !r.name.includes('/'));
    if (!found) throw new KubeHttpError(404, JSON.stringify({ message: `${apiVersion} has no kind ${kind}` }));
    return { plural: found.name as string, namespaced: found.namespaced === true };
  }

  /**
   * Watches a collection from `resourceVersion` until the server ends the
   * stream (resolves undefined), an error (resolves it) or `signal`.
   */
  watch(path: string, resourceVersion: string, timeoutSeconds: number, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<unknown> {
    const watch = new Watch(this.options.config);
    // The server ends the watch after timeoutSeconds; bookmarks keep it busy before that.
    (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = (timeoutSeconds + 30) * 1000;
    return new Promise((resolve) => {
      // Stopping never waits for the server: the request is aborted once it exists.
      if (signal.aborted) return resolve(undefined);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
      const params = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
      watch
        .watch(path, params, (type, object) => onEvent({ type: type as WatchEvent['type'], object: object as JsonObject }), (error) => resolve(error ?? undefined))
        .then((controller) => {
          if (signal.aborted) controller.abort();
          else signal.addEventListener('abort', () => controller.abort(), { once: true });
        }, resolve);
    });
  }
}

/** A KubeConfig whose current context is `context`; undefined when it has no such context. */
export function configForContext(base: KubeConfig, context: string): KubeConfig | undefined {
  if (!base.getContextObject(context)) return undefined;
  const config = new KubeConfig();
  config.loadFromOptions({ clusters: base.clusters, users: base.users, contexts: base.contexts, currentContext: context });
  return config;
}
