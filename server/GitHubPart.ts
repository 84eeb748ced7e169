import type { Logger } from 'pino';
import type { EventBus } from '../core/EventBus.ts';
import type { DefaultBranchMoved, GitHubController } from '../controller/github/GitHubController.ts';
import { WEBHOOK_PATH } from '../controller/github/webhookEndpoint.ts';
import type { ChangeStore } from '../state/ChangeStore.ts';
import { CONFIG_SECTIONS } from '../incidents/configSections.ts';
import type { GitHubApi } from '../controller/github/GitHubApi.ts';
import type { ServerConfig } from './config.ts';
import { changeStoreCheck, type ReadinessCheck } from './health.ts';
import type { LeadershipPart } from './LeadershipPart.ts';
import type { ServerMetrics } from './metrics.ts';
import type { Route, RouteProvider } from './router.ts';

export interface GitHubPartOptions {
  config: ServerConfig;
  github: NonNullable<ServerConfig['github']>;
  events: EventBus;
  log: Logger;
  /** Where the part declares its queue depth gauge and reports evaluation step timings. */
  metrics: ServerMetrics;
  /** Queued deliveries are processed only while this replica leads; every replica accepts and journals them. */
  leadership: LeadershipPart;
}

/** What a graceful stop of the controller did. */
export interface DrainReport {
  /** Deliveries that finished during the drain. */
  drained: string[];
  /** Deliveries still in the journal (running past the deadline, or waiting): processed after the next start. */
  left: string[];
  timedOut: boolean;
}

/**
 * The GitHub change controller as a part of the server: its webhook route,
 * its change store and a readiness check. It publishes on the bus; the
 * catalog follower listens for `defaultBranchMoved`. Octokit loads only here.
 */
export class GitHubPart implements RouteProvider {
  readonly routes: readonly Route[];
  readonly readiness: ReadinessCheck;

  private constructor(
    readonly controller: GitHubController,
    readonly store: ChangeStore,
    /** The controller's GitHub client (incidents open issues with it). */
    readonly api: GitHubApi,
    private readonly options: GitHubPartOptions,
  ) {
    this.readiness = changeStoreCheck(store);
    this.routes = [{ methods: ['POST'], path: WEBHOOK_PATH, handler: controller.handler, description: 'GitHub webhooks' }];
  }

  /** Builds the controller and its change store (Neo4j when the graph is, else a file in the state dir); nothing runs yet. */
  static async create(options: GitHubPartOptions): Promise<GitHubPart> {
    const [{ GitHubController }, { OctokitGitHubApi }, { openChangeStore }] = await Promise.all([
      import('../controller/github/GitHubController.ts'),
      import('../controller/github/OctokitGitHubApi.ts'),
      import('../state/openChangeStore.ts'),
    ]);
    const { config, github, log, events, metrics, leadership } = options;
    const { settings } = github;
    const store = await openChangeStore({ dir: config.stateDir, neo4j: config.neo4j });
    const api = new OctokitGitHubApi({ apiUrl: settings.apiUrl, auth: settings.auth, log: log.child({ component: 'octokit' }) });
    const controller = new GitHubController({
      stateDir: config.stateDir,
      store,
      api,
      webhookSecret: settings.webhookSecret,
      apiUrl: settings.apiUrl,
      cloneUrl: settings.cloneUrl,
      log: log.child({ component: 'github' }),
      git: config.git,
      cache: config.cache,
      repositories: github.repo ? [github.repo] : undefined,
      events,
      onStep: metrics.stepObserver(),
      configSections: CONFIG_SECTIONS,
      mayProcess: () => leadership.isLeader(),
    });
    // Stopping is immediate through mayProcess (asked before each delivery); a new term starts what waits.
    leadership.subscribe((event) => {
      if (event.type === 'started-leading') controller.resume();
    });
    metrics.gauge('cmdb_webhook_queue_depth', 'Webhook deliveries received and not yet processed (running or waiting in the journal).', () => controller.pendingDeliveries().length);
    return new GitHubPart(controller, store, api, options);
  }

  /** With `--github-repo`: clones (or fetches) it and returns the clone and default branch to serve. */
  async prepare(): Promise<DefaultBranchMoved | undefined> {
    return this.options.github.repo ? this.controller.prepare(this.options.github.repo) : undefined;
  }

  /** Opens the journal and replays what a previous run left. */
  async start(): Promise<void> {
    await this.controller.start();
    const { settings, repo } = this.options.github;
    this.options.log.info({ auth: settings.auth.kind, api: settings.apiUrl, repo, changes: this.store.name, webhooks: this.routes[0].path }, 'GitHub controller listening');
  }

  /**
   * Starts no more deliveries and waits for the running ones up to `deadlineMs`.
   * Whatever is not done stays in the journal. The change store is closed only
   * when everything finished (a delivery past the deadline may still write).
   */
  async drain(deadlineMs: number, options: { closeStore?: boolean } = {}): Promise<DrainReport> {
    const before = this.controller.pendingDeliveries();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), deadlineMs)));
    const outcome = await Promise.race([this.controller.close().then(() => 'closed' as const), deadline]);
    clearTimeout(timer);
    const left = this.controller.pendingDeliveries();
    if (outcome === 'closed' && (options.closeStore ?? true)) await this.store.close();
    return { drained: before.filter((id) => !left.includes(id)), left, timedOut: outcome === 'timeout' };
  }
}
