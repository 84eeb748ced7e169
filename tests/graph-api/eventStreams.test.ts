/**
 * EventStreams over the real in-process bus: a stream yields the events of its
 * type in publication order; a subscriber that falls `capacity` events behind
 * is cut off (one overflow item, then the end; its listener given back); and
 * through the API the overflow is a SUBSCRIBER_TOO_SLOW error after which the
 * subscription completes.
 */
import { expect, it } from 'vitest';
import { InMemoryEventBus } from '../../core/InMemoryEventBus.ts';
import { createGraphqlHandler } from '../../graph-api/server.ts';
import { EventStreams } from '../../graph-api/EventStreams.ts';
import { listen } from '../../server/listen.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { subscribe } from './sseClient.ts';

const moved = (commit: string) => ({ commit, entities: 1, violations: 0, mode: 'rebuild' as const, seconds: 0 });

it('yields the events of its type in order and gives its listener back on return', async () => {
  const bus = new InMemoryEventBus();
  const streams = new EventStreams({ bus, capacity: 10 });
  const stream = streams.stream('catalogMoved');
  expect(bus.listenerCount()).toBe(1);
  bus.publish('catalogMoved', moved('a'));
  bus.publish('changeRecorded', { id: 'x', repository: 'r', number: 1, mergeCommit: 'm', decision: 'pass' });
  bus.publish('catalogMoved', moved('b'));
  const first = await stream.next();
  const second = await stream.next();
  expect([first.value, second.value].map((v) => ('event' in v! ? v.event.data.commit : v))).toEqual(['a', 'b']);
  // A pending next() is answered by the next publication.
  const pending = stream.next();
  bus.publish('catalogMoved', moved('c'));
  expect((await pending).value).toMatchObject({ event: { data: { commit: 'c' } } });
  expect(streams.active).toBe(1);
  await stream.return!();
  expect(bus.listenerCount()).toBe(0);
  expect(streams.active).toBe(0);
  expect(await stream.next()).toEqual({ value: undefined, done: true });
});

it('cuts off a subscriber that falls capacity events behind: one overflow item, then the end', async () => {
  const bus = new InMemoryEventBus();
  const streams = new EventStreams({ bus, capacity: 3 });
  const stream = streams.stream('catalogMoved');
  for (const c of ['a', 'b', 'c', 'd', 'e']) bus.publish('catalogMoved', moved(c));
  await bus.settled();
  expect(bus.listenerCount()).toBe(0);
  expect(streams.active).toBe(0);
  expect(await stream.next()).toEqual({ value: { overflow: 4 }, done: false });
  expect(await stream.next()).toEqual({ value: undefined, done: true });
});

it('over the API: the slow subscriber gets SUBSCRIBER_TOO_SLOW and the subscription completes', async () => {
  const bus = new InMemoryEventBus();
  const graphql = createGraphqlHandler({ source: { store: new InMemoryGraphStore(), events: bus }, logger: false, subscriberQueue: 2 });
  const http = await listen({ listener: (req, res) => void graphql.handle(req, res), port: 0, host: '127.0.0.1' });
  try {
    const sub = await subscribe(http.url, 'subscription { catalogMoved { commit } }');
    await waitFor('the subscription to listen', () => graphql.subscriptions() === 1);
    // Published in one go: the server's stream is pulled only between events, so it falls behind.
    for (let i = 0; i < 50; i++) bus.publish('catalogMoved', moved(`c${i}`));
    await waitFor('the stream to complete', () => sub.completed);
    const last = sub.received.at(-1)!;
    expect(last.errors?.map((e) => e.extensions?.code)).toEqual(['SUBSCRIBER_TOO_SLOW']);
    expect(sub.received.length).toBeLessThan(50);
    expect(graphql.subscriptions()).toBe(0);
    expect(bus.listenerCount()).toBe(0);
  } finally {
    await http.close();
    await graphql.dispose();
  }
});

it('without an event bus a subscription is NOT_AVAILABLE and completes', async () => {
  const graphql = createGraphqlHandler({ source: { store: new InMemoryGraphStore() }, logger: false });
  const http = await listen({ listener: (req, res) => void graphql.handle(req, res), port: 0, host: '127.0.0.1' });
  try {
    const sub = await subscribe(http.url, 'subscription { incidentChanged { id } }');
    const answer = await sub.next();
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_AVAILABLE']);
    await waitFor('the stream to complete', () => sub.completed);
  } finally {
    await http.close();
    await graphql.dispose();
  }
});
