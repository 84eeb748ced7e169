import crypto from 'node:crypto';
import os from 'node:os';
import { CmdbError } from '../../core/errors.ts';
import { renderIncident, renderIncidentTable } from '../../incidents/render.ts';
import { incidentView, type IncidentView } from '../../incidents/view.ts';
import { IncidentCommandInbox } from '../../state/IncidentCommandInbox.ts';
import type { IncidentCommand, IncidentQuery } from '../../state/IncidentRecords.ts';
import { incidentLockHolder } from '../../state/IncidentStoreLock.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { EXIT } from '../exitCodes.ts';
import type { Output } from '../output.ts';
import { openIncidentState, stateDirOf, type IncidentStateOptions } from './incidentState.ts';

export interface IncidentsOptions extends IncidentStateOptions {
  state: 'open' | 'resolved' | 'all';
  format: 'text' | 'json';
}

export interface IncidentShowOptions extends IncidentStateOptions {
  format: 'text' | 'json';
}

export interface IncidentActionOptions extends IncidentStateOptions {
  note?: string;
  by?: string;
  /** Seconds. */
  wait: number;
  format: 'text' | 'json';
  /** For tests: how often the store is read again while waiting (ms). */
  pollMs?: number;
}

const QUERY: Record<IncidentsOptions['state'], IncidentQuery['state']> = { open: 'unresolved', resolved: 'resolved', all: 'all' };

const viewOf = (store: IncidentStore, id: string): IncidentView | undefined => {
  const incident = store.incident(id);
  return incident && incidentView(incident, (fp) => store.signal(fp));
};

const print = (io: Output, format: 'text' | 'json', view: IncidentView) => io.out(format === 'json' ? JSON.stringify(view, null, 2) : renderIncident(view));

/** `cmdb incidents`: the incidents in one state, newest first. */
export async function runIncidents(o: IncidentsOptions, io: Output): Promise<number> {
  const { store, where, recorded } = await openIncidentState(o);
  try {
    const views = store.incidents({ state: QUERY[o.state] }).map((i) => incidentView(i, (fp) => store.signal(fp)));
    if (o.format === 'json') io.out(JSON.stringify(views, null, 2));
    else if (!recorded) io.out(`no incidents recorded in ${where}`);
    else if (views.length === 0) io.out(o.state === 'all' ? 'no incidents' : `no ${o.state} incidents`);
    else io.out(renderIncidentTable(views));
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

/** The error for an id the store does not hold. */
const unknown = (id: string, where: string, recorded: boolean) =>
  new CmdbError(recorded ? `no incident ${id} in ${where} (cmdb incidents --state all lists them)` : `no incident ${id}: no incidents recorded in ${where}`, { code: 'usage' });

/** `cmdb incident show ID`. */
export async function runIncidentShow(id: string, o: IncidentShowOptions, io: Output): Promise<number> {
  const { store, where, recorded } = await openIncidentState(o);
  try {
    const view = viewOf(store, id);
    if (!view) throw unknown(id, where, recorded);
    print(io, o.format, view);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

type Action = 'acknowledge' | 'resolve' | 'note';

/**
 * `cmdb incident ack|resolve|note ID`: queues the command in the state dir's
 * inbox for the cmdb serve that holds it (only its engine writes the store),
 * then waits until the store shows it applied and prints the incident. Exit 3
 * when it stays queued: no live cmdb serve holds the state dir, or it did not
 * apply the command within --wait.
 */
export async function runIncidentAction(type: Action, id: string, o: IncidentActionOptions, io: Output): Promise<number> {
  if (type === 'note' && !o.note?.trim()) throw new CmdbError('cmdb incident note needs --note TEXT', { code: 'usage' });
  const dir = stateDirOf(o);
  const before = await openIncidentState(o);
  try {
    if (!before.store.incident(id)) throw unknown(id, before.where, before.recorded);
  } finally {
    await before.store.close();
  }
  const command: IncidentCommand = {
    id: crypto.randomUUID(),
    type,
    incident: id,
    by: o.by?.trim() || process.env.USER || safeUserName() || 'unknown',
    ...(o.note?.trim() ? { note: o.note.trim() } : {}),
    at: new Date().toISOString(),
  };
  const inbox = new IncidentCommandInbox({ dir });
  await inbox.append(command);
  const queued = `the command is queued (${command.id} in ${inbox.file}) and will be applied when \`cmdb serve --reconcile\` next runs with this state dir`;

  const deadline = Date.now() + o.wait * 1000;
  for (;;) {
    const holder = await incidentLockHolder(dir);
    if (holder === undefined) {
      io.err(`cmdb: no cmdb serve holds ${dir} (no live process in incidents.lock): ${queued}`);
      return EXIT.queued;
    }
    const { store } = await openIncidentState(o);
    try {
      if (store.applied(command.id)) {
        const view = viewOf(store, id);
        if (view) print(io, o.format, view);
        return EXIT.ok;
      }
    } finally {
      await store.close();
    }
    if (Date.now() >= deadline) {
      io.err(`cmdb: cmdb serve (pid ${holder}) did not apply the command within ${o.wait}s: ${queued.replace('next runs with this state dir', 'gets to it')}`);
      return EXIT.queued;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(o.pollMs ?? 250, Math.max(0, deadline - Date.now()))));
  }
}

function safeUserName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}
