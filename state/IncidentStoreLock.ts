import fs from 'node:fs/promises';
import path from 'node:path';
import { CmdbError } from '../core/errors.ts';

/**
 * `incidents.lock` in the state dir: the pid of the process that has the
 * incident store open for writing (the leader's `cmdb serve`). It tells the
 * CLI whether anyone will apply a queued command, and keeps a second writer
 * on the same host out. A lock whose pid is dead is stale and taken over.
 *
 * Limits: the pid is checked on this host only (a server in another container
 * or host sharing the dir is not seen), and a pid reused by an unrelated
 * process after a crash makes the lock look held until that process exits.
 */
export const INCIDENTS_LOCK_FILE = 'incidents.lock';

/** Whether a process with this pid runs (EPERM: it does, under another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the live process holding the lock in `dir`, or undefined (none, or stale). */
export async function incidentLockHolder(dir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, INCIDENTS_LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return pidAlive(pid) ? pid : undefined;
}

/** A held lock; `release` removes the file if it is still ours. */
export interface IncidentLock {
  readonly file: string;
  release(): Promise<void>;
}

/** Takes the lock in `dir` for this process (taking over a stale one); a CmdbError `state-store` when a live process holds it. */
export async function acquireIncidentLock(dir: string): Promise<IncidentLock> {
  const file = path.join(dir, INCIDENTS_LOCK_FILE);
  await fs.mkdir(dir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await fs.open(file, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw lockError(file, e);
      const holder = await incidentLockHolder(dir);
      if (holder === process.pid) break;
      if (holder !== undefined) throw new CmdbError(`${file} is held by process ${holder}: another cmdb serve writes the incidents of this state dir`, { code: 'state-store' });
      await fs.rm(file, { force: true }); // stale: its process is gone
    }
  }
  return {
    file,
    release: async () => {
      const text = await fs.readFile(file, 'utf8').catch(() => '');
      if (Number(text.trim()) === process.pid) await fs.rm(file, { force: true });
    },
  };
}

function lockError(file: string, cause: unknown): CmdbError {
  if (cause instanceof CmdbError) return cause;
  return new CmdbError(`cannot take ${file}: ${(cause as Error).message}`, { code: 'state-store', cause });
}
