import type { EventBus } from '../core/EventBus.ts';
import type { CmdbEvent, CmdbEventType } from '../core/events.ts';

/** Events a subscriber may have queued before it is cut off (default). */
export const DEFAULT_SUBSCRIBER_QUEUE = 1000;

/** What a subscription's stream yields: the next event, or (last) the notice that the subscriber fell too far behind. */
export type StreamItem<K extends CmdbEventType> = { event: CmdbEvent<K> } | { overflow: number };

export interface EventStreamsOptions {
  bus: EventBus;
  /** Events queued per subscriber before it is cut off (DEFAULT_SUBSCRIBER_QUEUE). */
  capacity?: number;
}

/**
 * The event bus as async iterators, one per GraphQL subscription. Each stream
 * subscribes to the bus when opened and queues the events of its type that
 * pass its filter; the consumer (yoga, writing Server-Sent Events) pulls them
 * as fast as the client reads. A subscriber that falls `capacity` events
 * behind is cut off rather than silently losing events: its queue is dropped,
 * it gets one `{ overflow }` item (the API turns it into a SUBSCRIBER_TOO_SLOW
 * error) and the stream ends; the client resubscribes and reads the current
 * state by query. Closing the stream (the client went away: yoga calls
 * `return`) unsubscribes from the bus at once.
 */
export class EventStreams {
  private readonly bus: EventBus;
  private readonly capacity: number;
  private open = 0;

  constructor(options: EventStreamsOptions) {
    this.bus = options.bus;
    this.capacity = options.capacity ?? DEFAULT_SUBSCRIBER_QUEUE;
  }

  /** Streams currently subscribed to the bus. */
  get active(): number {
    return this.open;
  }

  /** A stream of the later events of `type` for which `filter` holds. */
  stream<K extends CmdbEventType>(type: K, filter: (event: CmdbEvent<K>) => boolean = () => true): AsyncIterableIterator<StreamItem<K>> {
    const queue: StreamItem<K>[] = [];
    let waiting: ((result: IteratorResult<StreamItem<K>>) => void) | undefined;
    let ended = false;
    let unsubscribe = () => {};
    const deliver = (item: StreamItem<K>) => {
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: item, done: false });
      } else queue.push(item);
    };
    const finish = () => {
      if (ended) return;
      ended = true;
      unsubscribe();
      this.open--;
      if (waiting && queue.length > 0) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: queue.shift()!, done: false });
      } else if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: undefined, done: true });
      }
    };
    this.open++;
    unsubscribe = this.bus.subscribe(type, (event) => {
      if (ended || !filter(event)) return;
      if (queue.length >= this.capacity) {
        const overflow = queue.length + 1;
        queue.length = 0;
        queue.push({ overflow });
        finish();
        return;
      }
      deliver({ event });
    });
    const iterator: AsyncIterableIterator<StreamItem<K>> = {
      next: () => {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift()!, done: false });
        if (ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (waiting = resolve));
      },
      return: () => {
        queue.length = 0;
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
