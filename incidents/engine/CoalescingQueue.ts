/**
 * Runs batches of items one after another, in order. Items pushed with a
 * `kind` while earlier batches run join the batch still waiting at the tail
 * of the queue when it is of the same kind, so what arrives while the engine
 * is busy reaches it in one call (one `IncidentEngine.apply`, one store
 * transaction) instead of one call each. A push with `join: false` is a
 * batch of its own, and nothing pushed after it joins a batch before it, so
 * the order of items is always the order of pushes.
 */
export class CoalescingQueue<T> {
  private readonly run: (items: T[], kind: string) => Promise<void>;
  private chain: Promise<unknown> = Promise.resolve();
  private waiting: { kind: string; items: T[]; done: Promise<void> } | undefined;

  constructor(run: (items: T[], kind: string) => Promise<void>) {
    this.run = run;
  }

  /** Queues items; resolves (or rejects) when the batch they are part of has run. */
  push(items: readonly T[], kind: string, join = true): Promise<void> {
    const tail = this.waiting;
    if (join && tail && tail.kind === kind) {
      tail.items.push(...items);
      return tail.done;
    }
    const batch = { kind, items: [...items], done: undefined as unknown as Promise<void> };
    batch.done = this.chain.then(() => {
      if (this.waiting === batch) this.waiting = undefined;
      return this.run(batch.items, kind);
    });
    this.waiting = join ? batch : undefined;
    this.chain = batch.done.catch(() => undefined);
    return batch.done;
  }

  /** Resolves once everything pushed so far has run. */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }
}
