import type { LoggedEvent } from './EventLog.ts';

export interface TailOptions {
  /** Events above a sequence number. */
  read(after: number): Promise<LoggedEvent[]>;
  /** Dispatches `append` when this process appends (wakes the reader at once). */
  appended: EventTarget;
  after: number;
  signal: AbortSignal;
  /** Also reads every this many milliseconds, for appends by other processes (default: only on `append`). */
  pollMs?: number;
}

/** Reads what is there above `after`, then waits for an append (or the poll interval) and reads again, until aborted. */
export async function* tailLog(options: TailOptions): AsyncGenerator<LoggedEvent> {
  let after = options.after;
  const { signal } = options;
  while (!signal.aborted) {
    const wake = nextWake(options);
    const batch = await options.read(after);
    for (const e of batch) {
      if (signal.aborted) return;
      after = e.seq;
      yield e;
    }
    if (batch.length === 0) await wake.promise;
    wake.cancel();
  }
}

/** Resolves on the next append, the poll interval or the abort, whichever comes first. */
function nextWake(options: TailOptions): { promise: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve) => {
    const done = () => {
      cancel();
      resolve();
    };
    const timer = options.pollMs ? setTimeout(done, options.pollMs) : undefined;
    options.appended.addEventListener('append', done, { once: true });
    options.signal.addEventListener('abort', done, { once: true });
    cancel = () => {
      if (timer) clearTimeout(timer);
      options.appended.removeEventListener('append', done);
      options.signal.removeEventListener('abort', done);
    };
  });
  return { promise, cancel };
}
