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
  /** Whether the leader applied a command, from a fresh read of the shared store. */
  applied: (commandId: string) => Promise<boolean>;
  /** How long a follower waits for the leader to apply a queued command (default 10 s). */
  timeoutMs?: number;
  /** How often a follower reads the store while waiting (default 250 ms). */
  pollMs?: number;
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
      for (;;) {
        if (await options.applied(command.id)) return;
        if (Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
      }
      throw new NotAppliedError(
        `This replica does not lead and no leader applied the command within ${Math.round(timeoutMs / 1000)}s; it stays queued (${command.id} in ${options.inbox.file}) and is applied once when a leader gets to it.`,
      );
    },
  };
}

/** Whether a command was applied, reading the store of the state dir (or Neo4j) afresh, read-only, as the CLI does. */
export function appliedInStore(options: { dir: string; neo4j?: Neo4jClientOptions }): (commandId: string) => Promise<boolean> {
  return async (commandId) => {
    const store = await openIncidentStore({ dir: options.dir, neo4j: options.neo4j, readOnly: true });
    try {
      await store.open();
      return store.applied(commandId);
    } finally {
      await store.close();
    }
  };
}

/** The port of `cmdb serve --reconcile`: the IncidentPart on the leader, the state dir's inbox on a follower. */
export function serverIncidentCommands(options: { dir: string; neo4j?: Neo4jClientOptions; isLeader: () => boolean; apply: (command: IncidentCommand) => Promise<void>; timeoutMs?: number }): IncidentCommandPort {
  return incidentCommands({
    isLeader: options.isLeader,
    apply: options.apply,
    inbox: new IncidentCommandInbox({ dir: options.dir }),
    applied: appliedInStore(options),
    timeoutMs: options.timeoutMs,
  });
}
