import manifest from '../github-app-manifest.json' with { type: 'json' };
import { createGitHubSetupPage } from '../controller/github/setupPage.ts';
import type { Route, RouteProvider } from './router.ts';

export const GITHUB_SETUP_PATH = '/setup/github';

/**
 * The GitHub App setup page (docs/github.md), served by every `cmdb serve`,
 * with or without `--github`: it is how the App is created in the first place.
 * On GitHub Enterprise Server (`GITHUB_API_URL` `https://HOST/api/v3`) the
 * form goes to that host.
 */
export class GitHubSetupPart implements RouteProvider {
  readonly routes: readonly Route[];

  constructor(options: { env: NodeJS.ProcessEnv }) {
    const apiUrl = options.env.GITHUB_API_URL?.replace(/\/+$/, '');
    const enterprise = apiUrl !== undefined && apiUrl !== '' && !/^https:\/\/api\.github\.com$/.test(apiUrl);
    const page = createGitHubSetupPage({
      manifest,
      ...(enterprise ? { githubUrl: apiUrl.replace(/\/api\/v3$/, ''), apiUrl } : {}),
    });
    this.routes = [{ methods: ['GET', 'HEAD'], path: GITHUB_SETUP_PATH, handler: (req, res) => page(req, res), description: 'GitHub App setup page' }];
  }
}
