import { NotAppliedError, type IncidentCommandPort } from '../graph-api/context.ts';
import type { Neo4jClientOptions } from '../graph/neo4jClient.ts';
import { IncidentCommandInbox } from '../state/IncidentCommandInbox.ts';
import type { IncidentCommand } from '../state/IncidentRecords.ts';
import { openIncidentStore } from '../state/openIncidentStore.ts';

export interface IncidentCommandsOptions {
  /** Whether this replica leads (its engine applies commands). */
  isLeader: () => boolean;
  /** The leader's way in: IncidentPart.command. */
  apply: (command: IncidentCommand) => Promise<void>;
  /** Where a follower queues a command for the leader (the state dir's inbox, as `cmdb incident ack` does). */
  inbox: Pick<IncidentCommandInbox, 'append' | 'file'>;
  /** What a follower reads while it waits for the leader: opened once per command, read again at each poll. */
  watch: () => Promise<AppliedWatch>;
  /** How long a follower waits for the leader to apply a queued command (default 10 s). */
  timeoutMs?: number;
  /** How often a follower reads the store while waiting (default 250 ms). */
  pollMs?: number;
}

/** Whether the leader applied a command, each call from a fresh read of the shared store. */
export interface AppliedWatch {
  applied(commandId: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * How the API's mutations reach the incident engine, which only the leader
 * runs: on the leader, straight through the IncidentPart (in order with the
 * other inputs; the engine's error comes back as is); on a follower, queued in
 * the command inbox the leader reads every second, then waited for until the
 * store shows it applied, or a NotAppliedError after `timeoutMs` (the command
 * stays queued: the leader applies it once, when it gets to it).
 */
export function incidentCommands(options: IncidentCommandsOptions): IncidentCommandPort {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pollMs = options.pollMs ?? 250;
  return {
    async submit(command) {
      if (options.isLeader()) return options.apply(command);
      await options.inbox.append(command);
      const deadline = Date.now() + timeoutMs;
      const watch = await options.watch();
      try {
        for (;;) {
          if (await watch.applied(command.id)) return;
          if (Date.now() >= deadline) break;
          await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
        }
      } finally {
        await watch.close();
      }
      throw new NotAppliedError(
        `This replica does not lead and no leader applied the command within ${Math.round(timeoutMs / 1000)}s; it stays queued (${command.id} in ${options.inbox.file}) and is applied once when a leader gets to it.`,
      );
    },
  };
}

/**
 * The store of the state dir (or Neo4j), read-only as the CLI reads it:
 * opened once per command waited for, and read again (`reload`) at each poll
 * after the first, not opened anew every 250 ms.
 */
export function appliedInStore(options: { dir: string; neo4j?: Neo4jClientOptions }): () => Promise<AppliedWatch> {
  return async () => {
    const store = await openIncidentStore({ dir: options.dir, neo4j: options.neo4j, readOnly: true });
    try {
      await store.open();
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    let loaded = true;
    return {
      async applied(commandId) {
        if (!loaded) await store.reload();
        loaded = false;
        return store.applied(commandId);
      },
      close: () => store.close(),
    };
  };
}

/** The port of `cmdb serve --reconcile`: the IncidentPart on the leader, the state dir's inbox on a follower. */
export function serverIncidentCommands(options: { dir: string; neo4j?: Neo4jClientOptions; isLeader: () => boolean; apply: (command: IncidentCommand) => Promise<void>; timeoutMs?: number }): IncidentCommandPort {
  return incidentCommands({
    isLeader: options.isLeader,
    apply: options.apply,
    inbox: new IncidentCommandInbox({ dir: options.dir }),
    watch: appliedInStore(options),
    timeoutMs: options.timeoutMs,
  });
}
