import path from 'node:path';
import type { GitImplementation } from '../catalog/git/openRepo.ts';
import { configPosition, CONFIG_FILE, type CatalogConfig } from '../catalog/config.ts';
import { CmdbError } from '../core/errors.ts';
import { githubSettingsFromEnv, type GitHubSettings } from '../controller/github/settings.ts';
import type { Neo4jClientOptions } from '../graph/neo4jClient.ts';
import { defaultStateDir } from '../state/FileChangeStore.ts';
import { resolveAuthSettings, type AuthFlags, type AuthSettings } from './auth/settings.ts';
import { DEFAULT_LEADER_ELECTION_TIMING, MAX_TIMER_MS, parseDuration, validateLeaderElectionTiming, type TimingNames } from './leader/timing.ts';

/** What `cmdb serve` was given on the command line (commander's parsed options); unset means "not given". */
export interface ServeFlags extends AuthFlags {
  repo?: string;
  ref?: string;
  port?: number;
  host?: string;
  /** Seconds between looks at `ref` (0: never). */
  poll?: number;
  neo4j?: string;
  github?: boolean;
  githubRepo?: string;
  stateDir?: string;
  /** `--event-log-dir`: where `events.jsonl` is (default: the state dir); with leader election, a directory shared by the replicas. */
  eventLogDir?: string;
  /** Seconds a graceful shutdown waits for work in flight. */
  shutdownTimeout?: number;
  git?: GitImplementation;
  cache?: boolean;
  /** `--reconcile`: run the reconcilers continuously (the leader only). */
  reconcile?: boolean;
  /** `--kubeconfig`: the API server for leader election and the Kubernetes reconciler (default: KUBECONFIG, ~/.kube/config, the pod's service account). */
  kubeconfig?: string;
  leaderElect?: boolean;
  leaderElectLeaseName?: string;
  leaderElectNamespace?: string;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
}

/** Leader election as `server/leader/leaderElectionFromOptions` takes it (without the kubeconfig and listener). */
export interface LeaderElectionSettings {
  leaderElect: boolean;
  leaseName?: string;
  namespace?: string;
  identity?: string;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
}

export type LogFormat = 'json' | 'pretty';

/** The process's settings, validated: flags win over the environment, the environment over cmdb.yaml's `server` section, that over the defaults. */
export interface ServerConfig {
  repo: string;
  ref: string;
  host: string;
  port: number;
  /** Seconds between looks at `ref`; 0 never looks again (merges still move it with --github). */
  pollSeconds: number;
  /** Seconds a graceful shutdown waits for work in flight before leaving it in the journal. */
  shutdownTimeoutSeconds: number;
  /** Seconds between reads of the incident store by a replica that does not lead (so it shows what the leader commits to a shared Neo4j store); 0 never. */
  followerReloadSeconds: number;
  git: GitImplementation;
  cache: boolean;
  /** The Neo4j graph (and state) store; the in-memory graph and file state when absent. */
  neo4j?: Neo4jClientOptions;
  /** Journal, change records, event log and clones. */
  stateDir: string;
  /** Whether events are appended to the event log: with the GitHub controller, or when a state dir or an event log dir is given. */
  eventLog: boolean;
  /** Where the event log is: `--event-log-dir`, CMDB_EVENT_LOG_DIR, else stateDir. With leader election the replicas share it (the leader appends, the others relay). */
  eventLogDir: string;
  /** The GitHub change controller, with `--github` or `--github-repo`. */
  github?: { settings: GitHubSettings; repo?: string };
  /** Whether the reconcilers run (on the leader): `--reconcile`, CMDB_RECONCILE, cmdb.yaml `server.reconcile`. */
  reconcile: boolean;
  /** `--kubeconfig`; absent: the usual lookup. */
  kubeconfig?: string;
  /** `--leader-elect*` flags, CMDB_LEADER_ELECT* variables; without `leaderElect` this replica is the only one. */
  leaderElection: LeaderElectionSettings;
  /** Who may call the API: `--tokens`, `--oidc-*`, `--anonymous-read` (CMDB_TOKENS_FILE, CMDB_OIDC_*, CMDB_ANONYMOUS_READ); see server/auth. */
  auth: AuthSettings;
  log: { level: string; format: LogFormat };
}

/** The longest delay a timer can wait, in whole seconds: settings in seconds stop there. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

export const DEFAULTS = { repo: '.', ref: 'HEAD', host: '127.0.0.1', port: 4000, pollSeconds: 10, shutdownTimeoutSeconds: 10, followerReloadSeconds: 5 } as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface ResolveConfigInput {
  flags: ServeFlags;
  env?: NodeJS.ProcessEnv;
  /** cmdb.yaml of the served commit, once read: its `server` section fills what flags and environment leave unset. */
  repoConfig?: CatalogConfig;
  /** Whether stderr is a terminal (logs for a human there); default: process.stderr.isTTY. */
  terminal?: boolean;
}

/** Validates and merges the settings; a bad one is a CmdbError `config` naming the variable, flag or cmdb.yaml line. */
export function resolveServerConfig(input: ResolveConfigInput): ServerConfig {
  const { flags } = input;
  const env = input.env ?? process.env;
  const repoSettings = input.repoConfig ? serverSection(input.repoConfig) : {};
  const stateDir = flags.stateDir ?? (env.CMDB_STATE_DIR || defaultStateDir());
  const reconcile = flags.reconcile ?? envBoolean(env, 'CMDB_RECONCILE') ?? repoSettings.reconcile ?? false;
  const host = flags.host ?? (env.CMDB_HOST || DEFAULTS.host);
  return {
    repo: flags.repo ?? DEFAULTS.repo,
    ref: flags.ref ?? DEFAULTS.ref,
    host,
    port: flags.port ?? envNumber(env, 'PORT', { integer: true, max: 65535, what: 'a port number (0-65535)' }) ?? DEFAULTS.port,
    pollSeconds: flags.poll ?? envNumber(env, 'CMDB_POLL_SECONDS', { max: MAX_TIMER_SECONDS, what: `a number of seconds up to ${MAX_TIMER_SECONDS} (0 never polls)` }) ?? repoSettings.pollSeconds ?? DEFAULTS.pollSeconds,
    shutdownTimeoutSeconds:
      flags.shutdownTimeout ?? envNumber(env, 'CMDB_SHUTDOWN_TIMEOUT', { max: MAX_TIMER_SECONDS, what: `a number of seconds up to ${MAX_TIMER_SECONDS}` }) ?? repoSettings.shutdownTimeoutSeconds ?? DEFAULTS.shutdownTimeoutSeconds,
    followerReloadSeconds: envNumber(env, 'CMDB_FOLLOWER_RELOAD_SECONDS', { max: MAX_TIMER_SECONDS, what: `a number of seconds up to ${MAX_TIMER_SECONDS} (0 never reads again)` }) ?? DEFAULTS.followerReloadSeconds,
    git: flags.git ?? 'auto',
    cache: flags.cache ?? true,
    neo4j: neo4jFromEnv(flags.neo4j, env),
    stateDir: path.resolve(stateDir),
    eventLog: Boolean(flags.github || flags.githubRepo || flags.stateDir || env.CMDB_STATE_DIR || flags.eventLogDir || env.CMDB_EVENT_LOG_DIR || reconcile),
    eventLogDir: path.resolve(flags.eventLogDir ?? (env.CMDB_EVENT_LOG_DIR || stateDir)),
    github: flags.github || flags.githubRepo ? { settings: githubSettingsFromEnv(env), repo: flags.githubRepo } : undefined,
    reconcile,
    ...(flags.kubeconfig ? { kubeconfig: path.resolve(flags.kubeconfig) } : {}),
    leaderElection: leaderElectionSettings(flags, env),
    auth: resolveAuthSettings(flags, env, host),
    log: { level: logLevel(env), format: logFormat(env, input.terminal ?? process.stderr.isTTY === true) },
  };
}

/** Neo4j connection settings from `--neo4j` or CMDB_NEO4J_URI (with CMDB_NEO4J_USER, _PASSWORD, _DATABASE); undefined for the in-memory store. */
export function neo4jFromEnv(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Neo4jClientOptions | undefined {
  const uri = flag ?? env.CMDB_NEO4J_URI;
  if (!uri) return undefined;
  return { uri, user: env.CMDB_NEO4J_USER || undefined, password: env.CMDB_NEO4J_PASSWORD || undefined, database: env.CMDB_NEO4J_DATABASE || undefined };
}

/** `--leader-elect*` flags over CMDB_LEADER_ELECT* variables (the Helm chart sets those); durations are checked here, naming the flag. */
export function leaderElectionSettings(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): LeaderElectionSettings {
  const text = (flag: string | undefined, name: string) => flag ?? (env[name] || undefined);
  const settings: LeaderElectionSettings = {
    leaderElect: flags.leaderElect ?? envBoolean(env, 'CMDB_LEADER_ELECT') ?? false,
    leaseName: text(flags.leaderElectLeaseName, 'CMDB_LEADER_ELECT_LEASE_NAME'),
    namespace: text(flags.leaderElectNamespace, 'CMDB_LEADER_ELECT_NAMESPACE'),
    identity: env.CMDB_LEADER_ELECT_IDENTITY || undefined,
    leaseDuration: text(flags.leaderElectLeaseDuration, 'CMDB_LEADER_ELECT_LEASE_DURATION'),
    renewDeadline: text(flags.leaderElectRenewDeadline, 'CMDB_LEADER_ELECT_RENEW_DEADLINE'),
    retryPeriod: text(flags.leaderElectRetryPeriod, 'CMDB_LEADER_ELECT_RETRY_PERIOD'),
  };
  if (settings.leaderElect) {
    const ms = (key: keyof TimingNames, value: string | undefined) => {
      if (value === undefined) return DEFAULT_LEADER_ELECTION_TIMING[key];
      const parsed = parseDuration(value);
      if (parsed === undefined) throw new CmdbError(`${LEADER_ELECTION_NAMES[key]}: "${value}" is not a duration; write it like 15s, 500ms or 1m30s`, { code: 'config' });
      return parsed;
    };
    validateLeaderElectionTiming(
      { leaseDurationMs: ms('leaseDurationMs', settings.leaseDuration), renewDeadlineMs: ms('renewDeadlineMs', settings.renewDeadline), retryPeriodMs: ms('retryPeriodMs', settings.retryPeriod) },
      LEADER_ELECTION_NAMES,
    );
  }
  return settings;
}

const LEADER_ELECTION_NAMES: TimingNames = {
  leaseDurationMs: '--leader-elect-lease-duration (CMDB_LEADER_ELECT_LEASE_DURATION)',
  renewDeadlineMs: '--leader-elect-renew-deadline (CMDB_LEADER_ELECT_RENEW_DEADLINE)',
  retryPeriodMs: '--leader-elect-retry-period (CMDB_LEADER_ELECT_RETRY_PERIOD)',
};

/** cmdb.yaml's `server` section: `pollSeconds`, `shutdownTimeoutSeconds`, `reconcile`. */
export interface RepoServerSettings {
  pollSeconds?: number;
  shutdownTimeoutSeconds?: number;
  reconcile?: boolean;
}

const SERVER_KEYS = ['pollSeconds', 'shutdownTimeoutSeconds', 'reconcile'] as const;

/** Reads and checks the `server` section of cmdb.yaml; a bad value is an error at its line and column. */
export function serverSection(config: CatalogConfig): RepoServerSettings {
  const section = config.raw.server;
  if (section === undefined) return {};
  const fail = (pointer: string, message: string): never => {
    const [line, column] = configPosition(config, pointer);
    throw new CmdbError(message, { code: 'config', file: CONFIG_FILE, line, column });
  };
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return fail('/server', `server must be a mapping with ${SERVER_KEYS.join(', ')}`);
  const out: RepoServerSettings = {};
  for (const [key, value] of Object.entries(section)) {
    if (!(SERVER_KEYS as readonly string[]).includes(key)) fail(`/server/${key}`, `server.${key} is not a setting; the server section takes ${SERVER_KEYS.join(', ')}`);
    if (key === 'reconcile') {
      if (typeof value !== 'boolean') fail(`/server/${key}`, 'server.reconcile must be true or false');
      out.reconcile = value as boolean;
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_SECONDS) fail(`/server/${key}`, `server.${key} must be a number of seconds from 0 to ${MAX_TIMER_SECONDS}`);
    out[key as 'pollSeconds' | 'shutdownTimeoutSeconds'] = value as number;
  }
  return out;
}

function envBoolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new CmdbError(`${name}="${text}" is not true or false`, { code: 'config' });
}

function envNumber(env: NodeJS.ProcessEnv, name: string, rule: { integer?: boolean; max?: number; what: string }): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (rule.integer && !Number.isInteger(n)) || (rule.max !== undefined && n > rule.max))
    throw new CmdbError(`${name}="${text}" is not ${rule.what}`, { code: 'config' });
  return n;
}

function logLevel(env: NodeJS.ProcessEnv): string {
  const level = env.CMDB_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level)) throw new CmdbError(`CMDB_LOG_LEVEL="${level}" is not one of ${LOG_LEVELS.join(', ')}`, { code: 'config' });
  return level;
}

/** CMDB_LOG_FORMAT (`json`, `pretty`), else pretty on a terminal and JSON otherwise. */
function logFormat(env: NodeJS.ProcessEnv, terminal: boolean): LogFormat {
  const format = env.CMDB_LOG_FORMAT;
  if (format === undefined || format === '') return terminal ? 'pretty' : 'json';
  if (format !== 'json' && format !== 'pretty') throw new CmdbError(`CMDB_LOG_FORMAT="${format}" is not json or pretty`, { code: 'config' });
  return format;
}
