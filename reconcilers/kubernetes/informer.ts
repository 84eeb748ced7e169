import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonObject } from '../types.ts';
import { classifyApiError, type ApiFailure, type ApiRequest } from './apiFailure.ts';
import { collectionPath, type KubeClient, type ServedResource, type WatchEvent } from './client.ts';

/** What one informer knows: nothing yet, every object of its collection, or why it cannot tell. */
export type InformerState =
  | { status: 'syncing' }
  | { status: 'synced'; objects: ReadonlyMap<string, JsonObject> }
  | { status: 'failed'; failure: ApiFailure };

export interface InformerOptions extends Collection {
  client: KubeClient;
  /**
   * Called after each change of `state`: with the key (`objectKey`) of the one
   * object a watch event added, modified or deleted; without one after a
   * list or a failure (anything may have changed).
   */
  onChange: (object?: string) => void;
  /** Relist this often even when the watch is fine (default 10 min). */
  resyncMs?: number;
  /** First and longest wait before retrying after a failure (default 500 ms, 30 s). */
  backoff?: { initialMs: number; maxMs: number };
}

/** The key of an object in a synced state's `objects`: `namespace/name` (`/name` when cluster-scoped). */
export const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

const nameKey = (o: JsonObject): string => {
  const meta = (o.metadata ?? {}) as JsonObject;
  return objectKey(meta.namespace as string | undefined, meta.name as string);
};

/**
 * One list+watch of one kind in one namespace of one cluster, kept running:
 * a `410 Gone` (or any end of the watch past the resync period) relists, and
 * the new list replaces the cache at once, so an object is absent only when
 * a complete list or a DELETED event says so; any error marks the state
 * `failed` and retries with exponential back-off (discovery, list, watch).
 * The client's own informer stops on errors; this one never does until
 * `stop`.
 */
export class Informer {
  private current: InformerState = { status: 'syncing' };
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: InformerOptions) {}

  get state(): InformerState {
    return this.current;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private set(state: InformerState, object?: string): void {
    this.current = state;
    if (!this.abort.signal.aborted) this.options.onChange(object);
  }

  private async run(): Promise<void> {
    const { client, backoff = { initialMs: 500, maxMs: 30_000 } } = this.options;
    const signal = this.abort.signal;
    const resyncMs = this.options.resyncMs ?? 600_000;
    let delay = backoff.initialMs;
    const fail = async (failure: ApiFailure) => {
      if (signal.aborted) return;
      this.set({ status: 'failed', failure });
      await sleep(delay, undefined, { signal }).catch(() => {});
      delay = Math.min(delay * 2, backoff.maxMs);
    };
    while (!signal.aborted) {
      const list = await listCollection(client, this.options, signal);
      if (signal.aborted) return;
      if (!list.ok) {
        await fail(list.failure);
        continue;
      }
      const { path } = list;
      const objects = new Map(list.objects);
      let resourceVersion = list.resourceVersion;
      this.set({ status: 'synced', objects: new Map(objects) });
      delay = backoff.initialMs;
      const listedAt = Date.now();
      // Watch from the list until the resync period is over, the history is gone (410) or an error.
      for (;;) {
        let gone = false;
        const onEvent = (event: WatchEvent) => {
          if (event.type === 'ERROR') {
            gone ||= (event.object as { code?: unknown }).code === 410;
            return;
          }
          const rv = ((event.object.metadata ?? {}) as JsonObject).resourceVersion;
          if (typeof rv === 'string') resourceVersion = rv;
          if (event.type === 'BOOKMARK') return;
          const key = nameKey(event.object);
          if (event.type === 'DELETED') objects.delete(key);
          else objects.set(key, { apiVersion: this.options.apiVersion, kind: this.options.kind, ...event.object });
          delay = backoff.initialMs;
          this.set({ status: 'synced', objects: new Map(objects) }, key);
        };
        const remaining = Math.max(1, Math.ceil((resyncMs - (Date.now() - listedAt)) / 1000));
        const watchedAt = Date.now();
        const error = await client.watch(path, resourceVersion, remaining, onEvent, signal);
        if (signal.aborted) return;
        // A stream the server closes at once (it is going down) must not become a tight loop.
        if (error === undefined && Date.now() - watchedAt < 1000) await sleep(backoff.initialMs, undefined, { signal }).catch(() => {});
        const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
        if (gone || status === 410 || Date.now() - listedAt >= resyncMs) break; // relist: no report in between
        if (error !== undefined) {
          await fail(classifyApiError(error, requestOf('watch', this.options, list.resource)));
          break; // a failure relists: the cache may have missed events
        }
      }
    }
  }
}

/** What a request of an informer asks, for messages: `list deployments.apps in namespace shop`. */
function requestOf(verb: string, c: Collection, resource?: ServedResource): ApiRequest {
  const group = c.apiVersion.includes('/') ? c.apiVersion.split('/')[0] : '';
  const name = resource?.plural ?? `${c.kind.toLowerCase()}s`;
  return { verb, resource: group ? `${name}.${group}` : name, ...(c.namespace ? { namespace: c.namespace } : {}) };
}

/** One collection of one cluster: a kind in a namespace (or every namespace). */
export interface Collection {
  apiVersion: string;
  kind: string;
  namespace?: string;
}

export type ListResult =
  | { ok: true; path: string; resource: ServedResource; objects: Map<string, JsonObject>; resourceVersion: string }
  | { ok: false; failure: ApiFailure };

/** One complete list of a collection (discovery, then list), or why it failed. */
export async function listCollection(client: KubeClient, c: Collection, signal?: AbortSignal): Promise<ListResult> {
  let resource: ServedResource;
  try {
    resource = await client.resourceFor(c.apiVersion, c.kind);
  } catch (error) {
    return { ok: false, failure: classifyApiError(error, requestOf('get', c)) };
  }
  const path = collectionPath(c.apiVersion, resource, c.namespace);
  let list: JsonObject;
  try {
    list = await client.get(path, signal);
  } catch (error) {
    return { ok: false, failure: classifyApiError(error, requestOf('list', c, resource)) };
  }
  const objects = new Map<string, JsonObject>();
  // Items of a list carry no apiVersion and kind; the health rules need them.
  for (const item of (list.items ?? []) as JsonObject[]) objects.set(nameKey(item), { apiVersion: c.apiVersion, kind: c.kind, ...item });
  return { ok: true, path, resource, objects, resourceVersion: String(((list.metadata ?? {}) as JsonObject).resourceVersion ?? '') };
}

/** The state a single list gives. */
export const stateOfList = (list: ListResult): InformerState => (list.ok ? { status: 'synced', objects: list.objects } : { status: 'failed', failure: list.failure });
