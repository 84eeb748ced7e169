import fs from 'node:fs/promises';
import path from 'node:path';
import { CmdbError } from '../core/errors.ts';
import type { IncidentCommand } from './IncidentRecords.ts';
import type { IncidentStore } from './IncidentStore.ts';

export const INCIDENT_COMMANDS_FILE = 'incident-commands.jsonl';

/** A command read from the inbox, with the byte offset just after its line (pass it to `read` to continue). */
export interface InboxEntry {
  command: IncidentCommand;
  /** Offset after this command's line. */
  next: number;
}

/** A line of the inbox that is not a command (a write torn by a crash, then written after; or edited by hand). */
export interface InboxDefect {
  /** `file:line`. */
  at: string;
  message: string;
}

export interface InboxRead {
  commands: InboxEntry[];
  /** Lines skipped, each named. */
  defects: InboxDefect[];
  /** Offset after the last complete line read (an incomplete last line is left for the next read). */
  next: number;
}

/**
 * The incident commands people give with `cmdb incident ack|resolve|note`,
 * queued for the leader's engine, which alone writes the incident store:
 * `incident-commands.jsonl` in the state dir, one JSON command a line, each
 * appended with one O_APPEND write and fsynced, so CLI processes may append
 * together while `cmdb serve` reads. The engine applies a command and records
 * its id in the store's transaction (`commands`), so a command is applied
 * once however often it is read: `pending(store)` is what is left to do.
 *
 * The file only grows (commands are few, and rewriting it could lose an append
 * made meanwhile); delete it while no `cmdb serve` runs to start over.
 */
export class IncidentCommandInbox {
  readonly file: string;

  constructor(options: { dir: string }) {
    this.file = path.join(options.dir, INCIDENT_COMMANDS_FILE);
  }

  /** Appends the command, durably (creating the state dir when missing). */
  async append(command: IncidentCommand): Promise<void> {
    const problem = commandProblem(command);
    if (problem) throw new CmdbError(`not an incident command: ${problem}`, { code: 'internal' });
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const handle = await fs.open(this.file, 'a');
      try {
        const data = Buffer.from(`${JSON.stringify(idFirst(command))}\n`, 'utf8'); // `id` first: see parseLine
        const { bytesWritten } = await handle.write(data, 0, data.length);
        if (bytesWritten !== data.length) throw new Error(`only ${bytesWritten} of ${data.length} bytes could be written`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (cause) {
      throw new CmdbError(`cannot queue the command in ${this.file}: ${(cause as Error).message}`, { code: 'state-store', cause });
    }
  }

  /** The commands after byte offset `after` (0: from the start). A missing file holds none. */
  async read(after = 0): Promise<InboxRead> {
    let data: Buffer;
    try {
      data = await fs.readFile(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { commands: [], defects: [], next: 0 };
      throw new CmdbError(`cannot read ${this.file}: ${(e as Error).message}`, { code: 'state-store', cause: e });
    }
    const commands: InboxEntry[] = [];
    const defects: InboxDefect[] = [];
    let line = after === 0 ? 1 : countLines(data, after) + 1;
    let start = Math.min(after, data.length);
    for (;;) {
      const end = data.indexOf(0x0a, start);
      if (end < 0) break;
      const text = data.toString('utf8', start, end).trim();
      start = end + 1;
      if (text) {
        const { command, problem } = parseLine(text);
        if (problem) defects.push({ at: `${this.file}:${line}`, message: problem });
        if (command) commands.push({ command, next: start });
      }
      line++;
    }
    return { commands, defects, next: start };
  }

  /** The commands of the inbox the store has not applied yet, in the order given (a command id given twice: once). */
  async pending(store: Pick<IncidentStore, 'applied'>): Promise<IncidentCommand[]> {
    const { commands } = await this.read();
    const seen = new Set<string>();
    return commands.map((e) => e.command).filter((c) => !store.applied(c.id) && !seen.has(c.id) && Boolean(seen.add(c.id)));
  }

  /**
   * Yields commands as they are appended, from offset `after`, reading again
   * every `pollMs` (default 1000) until `signal` aborts. What it yields may
   * already be applied: check `applied` (or use `pending`) before applying.
   */
  async *tail(options: { after?: number; signal: AbortSignal; pollMs?: number }): AsyncGenerator<InboxEntry> {
    let after = options.after ?? 0;
    while (!options.signal.aborted) {
      const { commands, next } = await this.read(after);
      for (const entry of commands) {
        if (options.signal.aborted) return;
        yield entry;
      }
      after = next;
      if (commands.length === 0) await sleep(options.pollMs ?? 1000, options.signal);
    }
  }
}

/**
 * A line's command. A line that is not JSON may be a write torn by a crash
 * with the next command appended after it: that command (from its last
 * `{"id":`, where `append` starts every line) is kept, the torn part reported.
 */
function parseLine(text: string): { command?: IncidentCommand; problem?: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    const problem = commandProblem(parsed);
    return problem ? { problem } : { command: parsed as IncidentCommand };
  } catch (e) {
    const problem = `not JSON (${(e as Error).message})`;
    const at = text.lastIndexOf('{"id":');
    if (at <= 0) return { problem };
    const rest = parseLine(text.slice(at));
    return rest.command ? { command: rest.command, problem: `a torn command before the one at column ${at + 1} (${problem})` } : { problem };
  }
}

/** The command with `id` as its first key. */
const idFirst = ({ id, ...rest }: IncidentCommand) => ({ id, ...rest });

const countLines = (data: Buffer, end: number): number => {
  let n = 0;
  for (let i = data.indexOf(0x0a); i >= 0 && i < end; i = data.indexOf(0x0a, i + 1)) n++;
  return n;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

const TYPES = new Set(['acknowledge', 'resolve', 'note', 'dismiss-cause', 'update-problem']);

/** Why `value` is not an IncidentCommand, or undefined. */
export function commandProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const c = value as Record<string, unknown>;
  for (const key of ['id', 'type', 'by', 'at']) if (typeof c[key] !== 'string' || !c[key]) return `no "${key}"`;
  if (!TYPES.has(c.type as string)) return `unknown type "${String(c.type)}"`;
  if (c.type === 'update-problem') return typeof c.problem === 'string' ? undefined : 'no "problem"';
  if (typeof c.incident !== 'string') return 'no "incident"';
  if (c.type === 'dismiss-cause' && typeof c.change !== 'string') return 'no "change"';
  if (c.note !== undefined && typeof c.note !== 'string') return '"note" is not a string';
  return undefined;
}
