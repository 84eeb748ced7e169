import fs from 'node:fs';
import path from 'node:path';
import { isCmdbError } from '../../core/errors.ts';
import { forOption } from '../options.ts';
import { neo4jSettings } from '../context.ts';
import { defaultStateDir } from '../../state/FileChangeStore.ts';
import { INCIDENTS_FILE } from '../../state/FileIncidentStore.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { openIncidentStore } from '../../state/openIncidentStore.ts';

export interface IncidentStateOptions {
  /** Global `--neo4j`. */
  neo4j?: string;
  stateDir?: string;
  /** Which incident store in Neo4j (Neo4jIncidentStore `store`; default `default`). Not a flag: for callers and tests sharing a Neo4j. */
  neo4jStore?: string;
}

/** The state dir of the options: `--state-dir`, else cmdb serve's default (CMDB_STATE_DIR, else the user's state dir). */
export const stateDirOf = (o: IncidentStateOptions): string => path.resolve(o.stateDir ?? defaultStateDir());

/** What the commands read: the incident store, opened read-only, and where it is. */
export interface IncidentState {
  store: IncidentStore;
  /** The state dir (the command inbox and lock live there, whichever store holds the incidents). */
  dir: string;
  /** For messages: the journal file, or the Neo4j store's name. */
  where: string;
  /** False when there is no journal in the state dir (nothing recorded yet). */
  recorded: boolean;
}

/**
 * Opens the incident store read-only, as a reader beside a running cmdb serve:
 * Neo4j when configured (--neo4j, CMDB_NEO4J_URI), else the journal in the state dir.
 * A state-store or Neo4j error names the option that chose the store.
 */
export async function openIncidentState(o: IncidentStateOptions): Promise<IncidentState> {
  const dir = stateDirOf(o);
  const neo4j = neo4jSettings(o);
  const option = neo4j ? (o.neo4j ? '--neo4j' : undefined) : o.stateDir !== undefined ? '--state-dir' : undefined;
  // An error naming a file and line (a damaged journal) is about that file, not the option.
  const about = async <T,>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      if (!option || (isCmdbError(e) && e.file)) throw e;
      return forOption(option, () => Promise.reject(e), ['state-store', 'graph-store']);
    }
  };
  const store = await openIncidentStore({ dir, neo4j, readOnly: true, store: o.neo4jStore });
  try {
    await about(() => store.open());
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return { store, dir, where: neo4j ? store.name : dir, recorded: neo4j !== undefined || fs.existsSync(path.join(dir, INCIDENTS_FILE)) };
}

