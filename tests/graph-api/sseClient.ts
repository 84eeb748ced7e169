/**
 * A small client of the graphql-sse protocol ("distinct connections mode"),
 * over `fetch`: POSTs the operation with `Accept: text/event-stream` and reads
 * the stream's `next` and `complete` events. What a browser's EventSource or
 * the `graphql-sse` client package does, without their retries.
 */
export interface SseResult {
  data?: any;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export interface SseSubscription {
  status: number;
  headers: Headers;
  /** The next `next` payload (waits); rejects when the stream completed or ended first, or after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseResult>;
  /** Every payload received so far (also those `next` has not returned yet). */
  readonly received: SseResult[];
  /** Whether the server sent `complete`. */
  readonly completed: boolean;
  /** Closes the connection (the server's subscription ends). */
  close(): void;
}

export async function subscribe(base: string, query: string, options: { authorization?: string; variables?: Record<string, unknown> } = {}): Promise<SseSubscription> {
  const abort = new AbortController();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (options.authorization) headers.authorization = options.authorization;
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables: options.variables }), signal: abort.signal });
  const received: SseResult[] = [];
  let taken = 0;
  let completed = false;
  let ended = false;
  let wake = () => {};
  const reading = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of message.split('\n')) {
            if (line.startsWith(':')) continue; // a keep-alive comment
            const colon = line.indexOf(':');
            if (colon < 0) continue;
            fields.set(line.slice(0, colon), (fields.get(line.slice(0, colon)) ?? '') + line.slice(colon + 1).replace(/^ /, ''));
          }
          if (fields.get('event') === 'next') received.push(JSON.parse(fields.get('data')!) as SseResult);
          if (fields.get('event') === 'complete') completed = true;
          wake();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
      wake();
    }
  })();
  void reading;
  return {
    status: res.status,
    headers: res.headers,
    received,
    get completed() {
      return completed;
    },
    async next(timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (taken >= received.length) {
        if (completed || ended) throw new Error(`the stream ${completed ? 'completed' : 'ended'} before another event`);
        const left = until - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return received[taken++];
    },
    close: () => abort.abort(),
  };
}
