import fs from 'node:fs';
import { CmdbError } from '../../core/errors.ts';

export type GitHubAuth = { kind: 'app'; appId: string; privateKey: string } | { kind: 'token'; token: string };

/** How the controller talks to GitHub. */
export interface GitHubSettings {
  /** REST API root: `https://api.github.com`, `https://HOST/api/v3` (Enterprise Server), or a test server. */
  apiUrl: string;
  auth: GitHubAuth;
  /** Secret the webhook deliveries are signed with. */
  webhookSecret: string;
  /**
   * Clone URL of a config repo, with `{owner}` and `{repo}` placeholders; default: the
   * delivery's `repository.clone_url`, else derived from apiUrl.
   */
  cloneUrl?: string;
}

export const DEFAULT_API_URL = 'https://api.github.com';

/** The private key's PEM text: the value itself (literal `\n` allowed, as CI secrets often hold it), or the file it names. */
export function readPrivateKey(value: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return fs.readFileSync(value, 'utf8');
  } catch (cause) {
    throw new CmdbError(`GITHUB_PRIVATE_KEY is neither a PEM key nor a readable file (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); set it to the App's private key or its path`, {
      code: 'config',
      cause,
    });
  }
}

/**
 * Settings from the environment: GITHUB_WEBHOOK_SECRET; GITHUB_APP_ID with
 * GITHUB_PRIVATE_KEY (App), else GITHUB_TOKEN; GITHUB_API_URL;
 * CMDB_GITHUB_CLONE_URL. Throws CmdbError `config` naming what is missing.
 */
export function githubSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): GitHubSettings {
  const webhookSecret = env.GITHUB_WEBHOOK_SECRET;
  if (!webhookSecret) throw new CmdbError('GITHUB_WEBHOOK_SECRET is not set: set it to the webhook secret of the GitHub App (or of the repository webhook)', { code: 'config' });
  const apiUrl = (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
  let auth: GitHubAuth;
  if (env.GITHUB_APP_ID) {
    if (!env.GITHUB_PRIVATE_KEY) throw new CmdbError('GITHUB_APP_ID is set but GITHUB_PRIVATE_KEY is not: set it to the App private key (PEM) or its path', { code: 'config' });
    auth = { kind: 'app', appId: env.GITHUB_APP_ID, privateKey: readPrivateKey(env.GITHUB_PRIVATE_KEY) };
  } else if (env.GITHUB_TOKEN) {
    auth = { kind: 'token', token: env.GITHUB_TOKEN };
  } else {
    throw new CmdbError('no GitHub credentials: set GITHUB_APP_ID and GITHUB_PRIVATE_KEY (GitHub App), or GITHUB_TOKEN', { code: 'config' });
  }
  return { apiUrl, auth, webhookSecret, cloneUrl: env.CMDB_GITHUB_CLONE_URL || undefined };
}

/** `https://github.com/{owner}/{repo}.git` for api.github.com, `https://HOST/{owner}/{repo}.git` for `https://HOST/api/v3`. */
export function defaultCloneUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com/{owner}/{repo}.git';
  const prefix = url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${prefix}/{owner}/{repo}.git`;
}

/** Fills `{owner}` and `{repo}` of a clone URL template. */
export const expandCloneUrl = (template: string, owner: string, repo: string): string =>
  template.replaceAll('{owner}', encodeURIComponent(owner)).replaceAll('{repo}', encodeURIComponent(repo));
