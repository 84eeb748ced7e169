import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Output } from '../output.ts';
import { MAX_TIMER_SECONDS, type ServeFlags } from '../../server/config.ts';

/** Where GitHub delivers webhooks (as WEBHOOK_PATH in controller/github; repeated so the CLI loads Octokit only when serving GitHub). */
export const WEBHOOK_PATH = '/webhooks/github';

const parsePort = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
};

const parseSeconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > MAX_TIMER_SECONDS) throw new InvalidArgumentError(`must be a number of seconds from 0 to ${MAX_TIMER_SECONDS}`);
  return n;
};

/** `--github`, `--github-repo`, `--state-dir` of `cmdb serve`. */
export function addGitHubOptions(command: Command): Command {
  return command
    .option('--github', `run the GitHub change controller at POST ${WEBHOOK_PATH} (GITHUB_WEBHOOK_SECRET; GITHUB_APP_ID and GITHUB_PRIVATE_KEY, or GITHUB_TOKEN; GITHUB_API_URL)`)
    .option('--github-repo <owner/name>', 'the config repo on GitHub: cloned into the state dir and served instead of --repo; implies --github')
    .option('--state-dir <dir>', 'journal of deliveries, change records, event log and clones (default: CMDB_STATE_DIR, else ~/.local/state/gitops-cmdb)');
}

/** `--reconcile`, `--kubeconfig` and `--leader-elect*` of `cmdb serve`. */
export function addReconcileOptions(command: Command): Command {
  return command
    .option('--reconcile', 'run the reconcilers continuously on the leader: findings on the event bus, in the state dir, in /readyz and /metrics (default: CMDB_RECONCILE, else cmdb.yaml server.reconcile)')
    .option('--kubeconfig <file>', 'the Kubernetes API server for leader election and the Kubernetes reconciler (default: KUBECONFIG, ~/.kube/config, the pod\'s service account)')
    .option('--leader-elect', 'take part in leader election on a coordination.k8s.io/v1 Lease: only the leader reconciles and processes queued webhook deliveries (default: CMDB_LEADER_ELECT)')
    .option('--event-log-dir <dir>', 'where events.jsonl is (default: CMDB_EVENT_LOG_DIR, else the state dir); with --leader-elect a directory shared by the replicas: the leader appends, the others relay its events to their subscriptions')
    .option('--leader-elect-lease-name <name>', 'the Lease (default: CMDB_LEADER_ELECT_LEASE_NAME, else gitops-cmdb)')
    .option('--leader-elect-namespace <ns>', 'the Lease\'s namespace (default: CMDB_LEADER_ELECT_NAMESPACE, else the pod\'s, else default)')
    .option('--leader-elect-lease-duration <duration>', 'how long others wait before taking an unrenewed Lease over, whole seconds (default: CMDB_LEADER_ELECT_LEASE_DURATION, else 15s)')
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader tries to renew before it stops acting (default: CMDB_LEADER_ELECT_RENEW_DEADLINE, else 10s)')
    .option('--leader-elect-retry-period <duration>', 'pause between attempts (default: CMDB_LEADER_ELECT_RETRY_PERIOD, else 2s)');
}

/** `--tokens`, `--anonymous-read` and `--oidc-*` of `cmdb serve` (docs/security.md). */
export function addAuthOptions(command: Command): Command {
  return command
    .option('--tokens <file>', 'API bearer tokens, hashed: tokens: [{name, role, sha256}] (`cmdb token create` makes one) (default: CMDB_TOKENS_FILE)')
    .option('--anonymous-read', 'answer queries without credentials as the viewer `anonymous` (default: CMDB_ANONYMOUS_READ, else on when --host is loopback only)')
    .option('--no-anonymous-read', 'queries need credentials, even on loopback')
    .option('--oidc-issuer <url>', 'accept JWTs of this OIDC issuer, verified against its JWKS (default: CMDB_OIDC_ISSUER)')
    .option('--oidc-audience <aud>', 'the audience the JWTs must carry (default: CMDB_OIDC_AUDIENCE)')
    .option('--oidc-roles-claim <claim>', 'the JWT claim holding the caller\'s groups (default: CMDB_OIDC_ROLES_CLAIM, else groups)')
    .option('--oidc-role-map <value=role,...>', 'which claim values give which role, e.g. cmdb-admins=admin,oncall=responder,staff=viewer (default: CMDB_OIDC_ROLE_MAP)')
    .option('--oidc-jwks-url <url>', 'the issuer\'s JWKS (default: CMDB_OIDC_JWKS_URL, else jwks_uri of the issuer\'s discovery document)')
    .option('--oidc-client-id <id>', 'the web UI\'s OAuth client id (public client, authorization code with PKCE): the UI offers "Sign in with SSO" (default: CMDB_OIDC_CLIENT_ID)')
    .option('--oidc-scopes <scopes>', 'scopes the web UI asks for besides openid, space- or comma-separated (default: CMDB_OIDC_SCOPES, else profile)');
}

/** `cmdb serve`; the catalog, the API (graphql-yoga), pino and, with --github, Octokit load when it runs. */
export function registerServe(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  const command = program
    .command('serve')
    .description('serve the GraphQL API (/graphql), /livez, /readyz and /metrics on the catalog at a revision, following it')
    .option('--repo <path>', 'config repository (default: .)')
    .option('--ref <rev>', 'revision to follow (default: HEAD)')
    .option('--port <n>', 'port; 0 picks a free one (default: PORT, else 4000)', parsePort)
    .option('--host <address>', 'address to listen on (default: CMDB_HOST, else 127.0.0.1)')
    .option('--poll <seconds>', 'how often to look for new commits of --ref, 0: never (default: CMDB_POLL_SECONDS, else cmdb.yaml server.pollSeconds, else 10)', parseSeconds)
    .option('--shutdown-timeout <seconds>', 'on SIGTERM, how long to wait for work in flight (default: CMDB_SHUTDOWN_TIMEOUT, else cmdb.yaml server.shutdownTimeoutSeconds, else 10)', parseSeconds);
  addGitHubOptions(command);
  addAuthOptions(command);
  addReconcileOptions(command).action((opts: ServeFlags, cmd: Command) => run(import('./serve.ts').then(({ runServe }) => runServe({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
