/**
 * `cmdb serve --reconcile` (startRuntime on a real Git repository, real HTTP)
 * over a catalog of the caller's files, with change records written into the
 * state dir's FileChangeStore before the server starts (as kpiServer.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import type { ChangeRecord } from '../../state/ChangeRecord.ts';
import { FileChangeStore } from '../../state/FileChangeStore.ts';
import { TestRepo } from '../helpers/gitRepo.ts';

export interface ChangeServer {
  runtime: Runtime;
  gql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> }>;
  close(): Promise<void>;
}

export async function startChangeServer(options: { files: Record<string, string>; changes: readonly ChangeRecord[]; env?: NodeJS.ProcessEnv }): Promise<ChangeServer> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-changes-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-changes-state-'));
  const repo = TestRepo.create();
  repo.commit(options.files);
  const store = new FileChangeStore({ dir: stateDir });
  for (const record of options.changes) await store.recordChange(record);
  await store.close();
  const runtime = await startRuntime({
    flags: { repo: repo.dir, ref: 'main', port: 0, poll: 0, stateDir, reconcile: true },
    env: options.env ?? {},
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  const gql: ChangeServer['gql'] = async (query, variables) => {
    const res = await fetch(`${runtime.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as Awaited<ReturnType<ChangeServer['gql']>>;
  };
  const close = async () => {
    await runtime.shutdown();
    repo.remove();
    for (const d of [stateDir, cacheDir]) fs.rmSync(d, { recursive: true, force: true });
  };
  return { runtime, gql, close };
}
