import type { Logger } from 'pino';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import type { DefaultBranchMoved, GitHubController } from '../../controller/github/GitHubController.ts';
import { neo4jSettings } from '../context.ts';
import { WEBHOOK_PATH } from './serveCommand.ts';

export interface GitHubServeOptions {
  neo4j?: string;
  github?: boolean;
  githubRepo?: string;
  stateDir?: string;
  git?: GitImplementation;
  cache?: boolean;
}

/** The GitHub controller `cmdb serve` runs, and the config repo it serves when `--github-repo` is given. */
export interface ServedGitHub {
  controller: GitHubController;
  /** The clone of `--github-repo` and its default branch. */
  prepared?: DefaultBranchMoved;
  routes: Record<string, GitHubController['handler']>;
  /** Stops the controller (running deliveries finish) and closes the state store. */
  close(): Promise<void>;
}

/**
 * Starts the controller when `--github` or `--github-repo` is given (settings
 * from the environment), replaying deliveries a previous run left; with
 * `--github-repo`, clones it first. `onDefaultBranch` is called after merges.
 */
export async function startGitHub(o: GitHubServeOptions, log: Logger, onDefaultBranch: (moved: DefaultBranchMoved) => Promise<void>): Promise<ServedGitHub | undefined> {
  if (!o.github && !o.githubRepo) return undefined;
  const [{ GitHubController }, { OctokitGitHubApi }, { githubSettingsFromEnv }, { defaultStateDir }, { openChangeStore }] = await Promise.all([
    import('../../controller/github/GitHubController.ts'),
    import('../../controller/github/OctokitGitHubApi.ts'),
    import('../../controller/github/settings.ts'),
    import('../../state/FileChangeStore.ts'),
    import('../../state/openChangeStore.ts'),
  ]);
  const settings = githubSettingsFromEnv();
  const stateDir = o.stateDir ?? defaultStateDir();
  // Change records go to Neo4j when the graph does (--neo4j, CMDB_NEO4J_URI), else to a file in the state dir.
  const store = await openChangeStore({ dir: stateDir, neo4j: neo4jSettings(o) });
  const controller = new GitHubController({
    stateDir,
    store,
    api: new OctokitGitHubApi({ apiUrl: settings.apiUrl, auth: settings.auth, log: log.child({ component: 'octokit' }) }),
    webhookSecret: settings.webhookSecret,
    apiUrl: settings.apiUrl,
    cloneUrl: settings.cloneUrl,
    log: log.child({ component: 'github' }),
    git: o.git,
    cache: o.cache,
    repositories: o.githubRepo ? [o.githubRepo] : undefined,
    onDefaultBranch,
  });
  const prepared = o.githubRepo ? await controller.prepare(o.githubRepo) : undefined;
  await controller.start();
  log.info({ auth: settings.auth.kind, api: settings.apiUrl, repo: o.githubRepo, changes: store.name }, `GitHub controller listening at ${WEBHOOK_PATH}`);
  return {
    controller,
    prepared,
    routes: { [WEBHOOK_PATH]: controller.handler },
    async close() {
      await controller.close();
      await store.close();
    },
  };
}
