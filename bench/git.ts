import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { CmdbError } from '../core/errors.ts';

/** Environment for native git: no system config, C locale, never prompts. */
export function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
}

/** Spawns `git <args>` in `cwd` with all three streams piped; `env` adds to gitEnv(). */
export function spawnGit(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn('git', args, { cwd, env: { ...gitEnv(), ...env }, stdio: 'pipe' });
}

/** Resolves when the child exits 0; rejects with a CmdbError (code `git`) carrying its stderr otherwise. */
export function gitExit(child: ChildProcessWithoutNullStreams, args: readonly string[]): Promise<void> {
  let stderr = '';
  // A write after an early exit fails with EPIPE; the exit status reports the failure.
  child.stdin.on('error', () => {});
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 8192) stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', (cause) => reject(new CmdbError(`git ${args[0]} could not start: ${cause.message}`, { code: 'git', cause })));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new CmdbError(`git ${args.join(' ')} failed (${signal ?? code}): ${stderr.trim()}`, { code: 'git' }));
    });
  });
}

/** Runs `git <args>` to completion and returns its stdout. */
export async function git(cwd: string, args: readonly string[]): Promise<Buffer> {
  const child = spawnGit(cwd, args);
  child.stdin.end();
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await gitExit(child, args);
  return Buffer.concat(chunks);
}

/** `git <args>` stdout as trimmed text. */
export async function gitText(cwd: string, args: readonly string[]): Promise<string> {
  return (await git(cwd, args)).toString('utf8').trim();
}
