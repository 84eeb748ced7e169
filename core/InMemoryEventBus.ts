import type { EventBus } from './EventBus.ts';
import type { CmdbEvent, CmdbEventListener, CmdbEventPayloads, CmdbEventType } from './events.ts';

export interface InMemoryEventBusOptions {
  /** Called when a listener throws or rejects (default: ignored). */
  onListenerError?: (error: unknown, event: CmdbEvent) => void;
  /** The clock that stamps events (default: the system clock). */
  now?: () => Date;
}

/**
 * EventBus within one process. Each listener has its own queue: it sees
 * events one at a time in publication order (an async listener finishes one
 * before it gets the next), and a slow listener delays no other.
 */
export class InMemoryEventBus implements EventBus {
  private readonly listeners = new Set<Subscriber>();
  private readonly options: InMemoryEventBusOptions;

  constructor(options: InMemoryEventBusOptions = {}) {
    this.options = options;
  }

  publish<K extends CmdbEventType>(type: K, data: CmdbEventPayloads[K]): CmdbEvent<K> {
    const event = { type, at: (this.options.now?.() ?? new Date()).toISOString(), data } as CmdbEvent<K>;
    this.republish(event as CmdbEvent);
    return event;
  }

  republish(event: CmdbEvent): void {
    for (const s of this.listeners) if (s.type === undefined || s.type === event.type) s.push(event);
  }

  /** Listeners subscribed now (what a closed subscription must give back). */
  listenerCount(): number {
    return this.listeners.size;
  }

  subscribe<K extends CmdbEventType>(type: K, listener: CmdbEventListener<K>): () => void {
    return this.add(new Subscriber(type, listener as CmdbEventListener, this.options.onListenerError));
  }

  subscribeAll(listener: CmdbEventListener): () => void {
    return this.add(new Subscriber(undefined, listener, this.options.onListenerError));
  }

  async settled(): Promise<void> {
    await Promise.all([...this.listeners].map((s) => s.idle()));
  }

  private add(s: Subscriber): () => void {
    this.listeners.add(s);
    return () => void this.listeners.delete(s);
  }
}

/** One listener and the events it has yet to handle. */
class Subscriber {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly type: CmdbEventType | undefined,
    private readonly listener: CmdbEventListener,
    private readonly onError?: (error: unknown, event: CmdbEvent) => void,
  ) {}

  push(event: CmdbEvent): void {
    this.tail = this.tail.then(async () => {
      try {
        await this.listener(event);
      } catch (e) {
        this.onError?.(e, event);
      }
    });
  }

  idle(): Promise<void> {
    return this.tail;
  }
}
