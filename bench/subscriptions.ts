/**
 * Subscription fan-out (issue 12): 100 clients subscribed to `catalogMoved`
 * over Server-Sent Events (real HTTP on 127.0.0.1, the API's handler and
 * event bus), then 200 events published 20 ms apart. For each event and
 * subscriber: the time from `publish` to the client having parsed the
 * event's `next` message; and per event, the time until the last of the 100
 * had it. Target: p99 < 50 ms. The clients run in the same process as the
 * server (their parsing is counted; on a shared machine the figures include
 * the load). `npm run bench -- --only subscriptions`.
 */
import { performance } from 'node:perf_hooks';
import { InMemoryEventBus } from '../core/InMemoryEventBus.ts';
import { createGraphqlHandler } from '../graph-api/server.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import { listen } from '../server/listen.ts';
import { formatMs, markdownHeader, markdownRow, summarize, type Summary } from './stats.ts';

const SUBSCRIBERS = 100;
const EVENTS = 200;
const SPACING_MS = 20;
const log = (line: string) => process.stderr.write(`[bench subscriptions] ${line}\n`);

export interface SubscriptionFigures {
  subscribers: number;
  events: number;
  /** Publish to one subscriber's parsed event, ms (subscribers x events samples). */
  each: Summary;
  /** Publish to the last subscriber's parsed event, per event, ms. */
  all: Summary;
  lost: number;
}

/** Reads one SSE stream, calling `onNext` with each `next` payload's commit. */
async function readStream(res: Response, onNext: (commit: string) => void): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: next\ndata: (.*)$/m.test(message) ? message.slice(message.indexOf('data: ') + 6) : undefined;
        if (data) onNext((JSON.parse(data) as { data: { catalogMoved: { commit: string } } }).data.catalogMoved.commit);
      }
    }
  } catch {
    // aborted at the end
  }
}

export async function benchSubscriptions(): Promise<SubscriptionFigures> {
  const bus = new InMemoryEventBus();
  const graphql = createGraphqlHandler({ source: { store: new InMemoryGraphStore(), events: bus }, logger: false });
  const http = await listen({ listener: (req, res) => void graphql.handle(req, res), port: 0, host: '127.0.0.1' });
  const abort = new AbortController();
  const publishedAt = new Map<string, number>();
  const arrivals = new Map<string, number[]>();
  let streams: Array<{ reading: Promise<void> }> | undefined;
  try {
    streams = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, async () => {
        const res = await fetch(`${http.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query: 'subscription { catalogMoved { commit entities mode at } }' }),
          signal: abort.signal,
        });
        if (res.status !== 200) throw new Error(`subscribe: HTTP ${res.status}`);
        // Not awaited here: a stream ends only when aborted.
        return { reading: readStream(res, (commit) => {
          const at = performance.now();
          const list = arrivals.get(commit) ?? [];
          list.push(at - publishedAt.get(commit)!);
          arrivals.set(commit, list);
        }) };
      }),
    );
    for (let t = Date.now(); graphql.subscriptions() < SUBSCRIBERS; ) {
      if (Date.now() - t > 30_000) throw new Error(`only ${graphql.subscriptions()} of ${SUBSCRIBERS} subscribed`);
      await new Promise((r) => setTimeout(r, 10));
    }
    log(`${SUBSCRIBERS} subscribers; publishing ${EVENTS} events ${SPACING_MS} ms apart`);
    for (let i = 0; i < EVENTS; i++) {
      const commit = `c${String(i).padStart(4, '0')}`;
      publishedAt.set(commit, performance.now());
      bus.publish('catalogMoved', { commit, entities: 1, violations: 0, mode: 'incremental', seconds: 0 });
      await new Promise((r) => setTimeout(r, SPACING_MS));
    }
    const until = Date.now() + 5000;
    while ([...arrivals.values()].reduce((n, l) => n + l.length, 0) < SUBSCRIBERS * EVENTS && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  } finally {
    abort.abort();
    await Promise.all(streams?.map((s) => s.reading) ?? []);
    await http.close();
    await graphql.dispose();
  }
  const each = [...arrivals.values()].flat();
  const all = [...arrivals.values()].filter((l) => l.length === SUBSCRIBERS).map((l) => Math.max(...l));
  return { subscribers: SUBSCRIBERS, events: EVENTS, each: summarize(each), all: summarize(all), lost: SUBSCRIBERS * EVENTS - each.length };
}

export function subscriptionsMarkdown(f: SubscriptionFigures): string {
  return [
    '### Subscriptions (Server-Sent Events)',
    '',
    `${f.subscribers} SSE subscribers of \`catalogMoved\` on 127.0.0.1, ${f.events} events ${SPACING_MS} ms apart (clients in the same process); events not received: ${f.lost}. Target: p99 < 50 ms.`,
    '',
    markdownHeader(['From publish to', 'p50', 'p99', 'max', 'samples']),
    markdownRow(['one subscriber', formatMs(f.each.p50), formatMs(f.each.p99), formatMs(f.each.max), f.each.n]),
    markdownRow([`all ${f.subscribers} subscribers`, formatMs(f.all.p50), formatMs(f.all.p99), formatMs(f.all.max), f.all.n]),
  ].join('\n');
}
