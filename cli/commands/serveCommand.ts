import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Output } from '../output.ts';
import type { ServeOptions } from './serve.ts';

/** Where GitHub delivers webhooks (as WEBHOOK_PATH in controller/github; repeated so the CLI loads Octokit only when serving GitHub). */
export const WEBHOOK_PATH = '/webhooks/github';

const parsePort = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
};

const parseSeconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds (0 disables polling)');
  return n;
};

/** `--github`, `--github-repo`, `--state-dir` of `cmdb serve`. */
export function addGitHubOptions(command: Command): Command {
  return command
    .option('--github', `run the GitHub change controller at POST ${WEBHOOK_PATH} (GITHUB_WEBHOOK_SECRET; GITHUB_APP_ID and GITHUB_PRIVATE_KEY, or GITHUB_TOKEN; GITHUB_API_URL)`)
    .option('--github-repo <owner/name>', 'the config repo on GitHub: cloned into the state dir and served instead of --repo; implies --github')
    .option('--state-dir <dir>', 'journal of deliveries, change records and clones (default: CMDB_STATE_DIR, else ~/.local/state/gitops-cmdb)');
}

/** `cmdb serve`; the catalog, the API (graphql-yoga), pino and, with --github, Octokit load when it runs. */
export function registerServe(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  const command = program
    .command('serve')
    .description('serve the GraphQL API (/graphql) and /healthz on the catalog at a revision')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to follow', 'HEAD')
    .option('--port <n>', 'port (0 picks a free one)', parsePort, 4000)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--poll <seconds>', 'how often to look for new commits of --ref (0: never)', parseSeconds, 10);
  addGitHubOptions(command).action((opts: ServeOptions, cmd: Command) => run(import('./serve.ts').then(({ runServe }) => runServe({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
