import type { CmdbEvent, CmdbEventListener, CmdbEventPayloads, CmdbEventType } from './events.ts';

/**
 * The in-process event bus: parts publish typed events, others subscribe.
 * Parts receive the bus through their constructor options; nobody sets a
 * callback on another part after it started.
 *
 * Delivery is in publication order to each listener, after `publish` returns
 * (a publisher never waits for, nor fails because of, a subscriber). A
 * listener that throws or rejects is reported to the bus's error handler and
 * keeps receiving later events.
 */
export interface EventBus {
  /** Publishes an event stamped with the current time; returns it. */
  publish<K extends CmdbEventType>(type: K, data: CmdbEventPayloads[K]): CmdbEvent<K>;
  /**
   * Publishes an event as it is, time included: one another replica published,
   * relayed from the event log (server/EventRelayPart.ts). Listeners receive
   * this very object. Optional: without it the relay uses `publish`.
   */
  republish?(event: CmdbEvent): void;
  /** Calls `listener` for every later event of `type`; returns the unsubscribe function. */
  subscribe<K extends CmdbEventType>(type: K, listener: CmdbEventListener<K>): () => void;
  /** Calls `listener` for every later event of any type (the event log, metrics, subscriptions). */
  subscribeAll(listener: CmdbEventListener): () => void;
  /** Resolves once every event published so far has been handled by its listeners. */
  settled(): Promise<void>;
}
