/** Child processes of the test infrastructure (Neo4j, kube-apiserver, etcd, builds): shared by neo4j.ts and kube.ts. */
import { spawn, type ChildProcess } from 'node:child_process';

/** An infrastructure failure of a test service; `message` says what to do, `code` what failed. */
export class InfraError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The last `n` lines of `text`. */
export function tailLines(text: string, n: number): string {
  return text.replace(/\s+$/, '').split('\n').slice(-n).join('\n');
}

export interface RunCommandOptions {
  timeoutMs: number;
  /** What the command does, for the error (`go build kube-apiserver`). */
  what: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Lines of output kept in the error when it fails. */
  tail: number;
  /** The caller's error for a command that cannot start, and for one that failed. */
  errors: { spawn(message: string, cause: unknown): Error; failed(message: string): Error };
}

/** Runs a command to completion; resolves with its stdout and all output, rejects with the tail of its output. */
export function runCommand(cmd: string, args: string[], opts: RunCommandOptions): Promise<{ stdout: string; output: string }> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd, env: opts.env });
    } catch (error) {
      reject(opts.errors.spawn(`cannot run ${cmd}: ${(error as Error).message}`, error));
      return;
    }
    let stdout = '';
    let output = '';
    const keep = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      keep(chunk);
    });
    child.stderr?.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(opts.errors.spawn(`cannot run ${cmd}: ${error.message}`, error));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, output });
      const how = signal ? `was killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${opts.timeoutMs} ms?)` : ''}` : `exited with ${code}`;
      reject(opts.errors.failed(`${opts.what} ${how}:\n${tailLines(output, opts.tail)}`));
    });
  });
}

/** Processes started attached to this process: killed if it exits. */
const attached = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills `child` when this process exits, until it exits itself. */
export function killOnExit(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of attached) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  attached.add(child);
  const forget = (): void => void attached.delete(child);
  child.once('exit', forget);
  child.once('error', forget);
}
