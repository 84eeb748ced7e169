/**
 * The subscriptions client: the graphql-sse protocol in its distinct
 * connections mode, as `cmdb serve` speaks it (one `POST /graphql` with
 * `Accept: text/event-stream` per subscription; `event: next` messages, each
 * one GraphQL result, `event: complete` at the end, `:` keep-alives). Read
 * over fetch (an EventSource cannot send the token). A dropped connection is
 * retried with back-off (1, 2, 4, 8, then every 15 s) and shows the same
 * lost-connection banner as a failed request (web/graphql.ts `connection`);
 * each (re)connection calls `onConnected`, so a page reads the state it may
 * have missed by query. A live query subscribes only once its first read
 * succeeded, so a server without incidents holds no stream open.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { token } from './auth.ts';
import { ApiError, connection, request, type GraphqlErrorEntry } from './graphql.ts';
import { useStore } from './store.ts';

const RETRY_MS = [1000, 2000, 4000, 8000, 15000];

export interface SubscriptionHandlers<T> {
  /** Each event's data. */
  next(data: T): void;
  /** The stream is open (first time and after each reconnection). */
  onConnected?(): void;
  /** The server refused the subscription (a GraphQL error other than a slow reader); it is not retried. */
  onError?(error: ApiError): void;
}

/** One SSE message's fields (`event`, `data`), or undefined for a keep-alive. */
export function parseMessage(message: string): { event?: string; data?: string } | undefined {
  const fields: { event?: string; data?: string } = {};
  let any = false;
  for (const line of message.split('\n')) {
    if (line.startsWith(':') || !line) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') fields.event = value;
    else if (name === 'data') fields.data = fields.data === undefined ? value : `${fields.data}\n${value}`;
    else continue;
    any = true;
  }
  return any ? fields : undefined;
}

/** Subscribes until the returned function is called; reconnects when the stream ends or fails. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<T>): () => void {
  const abort = new AbortController();
  let attempt = 0;
  let stopped = false;
  const run = async () => {
    while (!stopped) {
      let refused = false;
      try {
        const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
        const t = token.get();
        if (t) headers.authorization = `Bearer ${t}`;
        const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: abort.signal });
        if (!res.ok && res.status !== 401 && res.status !== 403) throw new Error(`HTTP ${res.status}`);
        if (!res.body) throw new Error('no stream');
        if (!connection.get().online) connection.set({ online: true });
        attempt = 0;
        if (res.ok) handlers.onConnected?.();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = parseMessage(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (message?.event !== 'next' || message.data === undefined) continue;
            const result = JSON.parse(message.data) as { data?: T | null; errors?: GraphqlErrorEntry[] };
            if (result.errors?.length) {
              // A reader that fell behind is dropped by the server: subscribe again (the page re-reads by query). Any other error is final.
              if (result.errors.some((e) => e.extensions?.code === 'SUBSCRIBER_TOO_SLOW')) continue;
              refused = true;
              handlers.onError?.(new ApiError(result.errors, res.status));
            } else if (result.data != null) handlers.next(result.data);
          }
        }
        if (refused || stopped) return;
        // The server completed or closed the stream: reconnect at once, then with back-off if it keeps closing.
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)] / 4));
      } catch {
        if (stopped) return;
        const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
        attempt++;
        connection.set({ online: false, retryInSeconds: wait / 1000, attempts: attempt });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };
  void run();
  return () => {
    stopped = true;
    abort.abort();
  };
}

export type LiveState<T> = { data?: T; error?: Error; loading: boolean; live: boolean };

/**
 * A query kept current: read once, then again after each event of
 * `subscription` (and after each reconnection), keeping the last answer on
 * screen while the next is read (no reload, no flicker). `key` is what the
 * query depends on. `query` is a GraphQL query, or a function making the
 * read from the variables (several requests: pages of a connection).
 */
export function useLiveQuery<T, V extends Record<string, unknown> = Record<string, unknown>>(
  query: string | ((variables: V) => Promise<T>),
  variables: V,
  subscription: { query: string; variables?: Record<string, unknown> } | undefined,
  key: string,
): LiveState<T> & { refresh(): void } {
  const signedIn = useStore(token);
  const full = `${key}|${signedIn ?? ''}`;
  const [state, setState] = useState<LiveState<T> & { key: string }>({ key: full, loading: true, live: false });
  const seq = useRef(0);
  const read = useRef<() => void>(() => undefined);
  useEffect(() => {
    let current = true;
    let running = false;
    let again = false;
    let first: (() => void) | undefined;
    setState({ key: full, loading: true, live: false });
    // One read at a time; events arriving during a read cause one more read after it.
    const refetch = () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      const n = ++seq.current;
      (typeof query === 'string' ? request<T>(query, variables) : query(variables)).then(
        (data) => {
          if (!current || n !== seq.current) return;
          setState((s) => ({ ...s, key: full, data, error: undefined, loading: false }));
          first?.();
          first = undefined;
        },
        (error: Error) => current && n === seq.current && setState((s) => ({ ...s, key: full, error, loading: false })),
      ).finally(() => {
        running = false;
        if (again && current) {
          again = false;
          refetch();
        }
      });
    };
    read.current = refetch;
    // Subscribes once the first read succeeded (a server without incidents answers NOT_AVAILABLE: nothing to follow).
    let stop = () => undefined as void;
    const follow = () => {
      if (!subscription || !current) return;
      stop = subscribe(subscription.query, subscription.variables ?? {}, {
        next: () => refetch(),
        // Read again on each (re)connection: what changed while not connected (or before the first connection) is not replayed.
        onConnected: () => {
          refetch();
          if (current) setState((s) => ({ ...s, live: true }));
        },
        onError: () => current && setState((s) => ({ ...s, live: false })),
      });
    };
    first = follow;
    refetch();
    return () => {
      current = false;
      stop();
    };
  }, [full]);
  const shown = state.key === full ? state : { loading: true, live: false };
  return { ...shown, refresh: () => read.current() };
}
