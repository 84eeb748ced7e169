import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import type { ServeFlags } from '../../server/config.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

/** A one-commit catalog repo and a temp dir for tokens files; `close` stops the runtimes started and removes both. */
export class AuthFixture {
  readonly repo = TestRepo.create('cmdb-auth-');
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-auth-files-'));
  readonly commit: string;
  private readonly runtimes: Runtime[] = [];

  constructor() {
    this.commit = this.repo.commit({ 'team.yaml': entity('Group', 'team', { type: 'team' }), 'api.yaml': entity('Component', 'api', { type: 'service', lifecycle: 'production', owner: 'team' }) });
  }

  /** Writes a file in the temp dir; its path. */
  file(name: string, text: string): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  /** startRuntime on the repo (port 0, no polling) with every log line, at trace level, kept in `logged`. */
  async start(flags: ServeFlags = {}, env: NodeJS.ProcessEnv = {}): Promise<{ runtime: Runtime; base: string; logged: () => string }> {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const runtime = await startRuntime({ flags: { repo: this.repo.dir, ref: this.commit, port: 0, poll: 0, ...flags }, env, log: pino({ level: 'trace' }, sink), out: () => undefined });
    this.runtimes.push(runtime);
    return { runtime, base: `http://127.0.0.1:${new URL(runtime.url).port}`, logged: () => lines.join('') };
  }

  async close(): Promise<void> {
    await Promise.all(this.runtimes.splice(0).map((r) => r.shutdown()));
    this.repo.remove();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface GqlAnswer {
  status: number;
  headers: Headers;
  data?: any;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** POSTs a query to `${base}/graphql`, with `Authorization` when given. */
export async function gql(base: string, query: string, authorization?: string): Promise<GqlAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return { status: res.status, headers: res.headers, ...((await res.json()) as object) };
}

export const codes = (a: GqlAnswer): Array<string | undefined> => (a.errors ?? []).map((e) => e.extensions?.code);
