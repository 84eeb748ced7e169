import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Options of the GitHub App setup page. */
export interface GitHubSetupPageOptions {
  /** The App manifest (github-app-manifest.json); its `redirect_url` is replaced by the page's own URL. */
  manifest: object;
  /** GitHub's web root: `https://github.com` (default) or a GitHub Enterprise Server's `https://HOST`. */
  githubUrl?: string;
  /** REST API root for the conversion call: default `https://api.github.com` for github.com, else `GITHUB_URL/api/v3`. */
  apiUrl?: string;
}

/** GitHub codes and organisation logins, as accepted in the query (anything else is refused, never echoed raw). */
const CODE = /^[A-Za-z0-9_-]{1,128}$/;
const ORG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** States handed out recently (a page view each); the oldest are forgotten first. */
const MAX_STATES = 256;

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A request handler for GitHub's App-manifest flow, to mount at
 * `/setup/github` of `cmdb serve`. GET without `code`: a page with a form
 * that POSTs the manifest (editable, in a `manifest` field) to
 * `GITHUB/settings/apps/new`, or `GITHUB/organizations/ORG/settings/apps/new`
 * with `?org=ORG`; its `redirect_url` is this page, so GitHub sends the
 * browser back here. GET with `?code=`: how to exchange the code
 * (`POST /app-manifests/{code}/conversions`, within an hour) for the App's
 * id, private key and webhook secret, and the environment variables to set.
 * The page never makes that call itself: the secrets never pass through the
 * server. No script; a strict Content-Security-Policy; no Referer leaves the
 * page (the code is in its URL).
 */
export function createGitHubSetupPage(options: GitHubSetupPageOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const githubUrl = (options.githubUrl ?? 'https://github.com').replace(/\/+$/, '');
  const apiUrl = (options.apiUrl ?? defaultApiUrl(githubUrl)).replace(/\/+$/, '');
  const states = new Set<string>();
  const issueState = (): string => {
    const state = randomBytes(16).toString('hex');
    states.add(state);
    if (states.size > MAX_STATES) states.delete(states.values().next().value!);
    return state;
  };
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, page('Method not allowed', '<p>Open this page with GET.</p>'), { Allow: 'GET, HEAD' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const code = url.searchParams.get('code');
    if (code !== null) {
      if (!CODE.test(code)) return send(res, 400, page('Not a GitHub code', `<p>The <code>code</code> parameter is not one GitHub sends. Start again from <a href="${escapeHtml(url.pathname)}">the setup page</a>.</p>`));
      const state = url.searchParams.get('state');
      const known = state !== null && states.has(state);
      return send(res, 200, codePage({ code, apiUrl, knownState: known }));
    }
    const org = url.searchParams.get('org') || undefined;
    if (org !== undefined && !ORG.test(org)) {
      return send(res, 400, page('Not an organisation name', `<p>${escapeHtml(JSON.stringify(org))} is not a GitHub organisation login. <a href="${escapeHtml(url.pathname)}">Back</a>.</p>`));
    }
    const selfUrl = `${originOf(req)}${url.pathname}`;
    const manifest = { ...(options.manifest as Record<string, unknown>), redirect_url: selfUrl };
    const target = `${githubUrl}${org ? `/organizations/${org}` : ''}/settings/apps/new?state=${issueState()}`;
    send(res, 200, formPage({ manifest, target, org, path: url.pathname }), {}, githubUrl);
  };
}

/** `https://api.github.com` for github.com, `https://HOST/api/v3` for GitHub Enterprise Server. */
function defaultApiUrl(githubUrl: string): string {
  return new URL(githubUrl).hostname === 'github.com' ? 'https://api.github.com' : `${githubUrl}/api/v3`;
}

/** The origin the browser used, behind a proxy too (X-Forwarded-Proto/Host). */
function originOf(req: IncomingMessage): string {
  const forwarded = (name: string): string | undefined => {
    const value = req.headers[name];
    return (Array.isArray(value) ? value[0] : value)?.split(',')[0].trim() || undefined;
  };
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const proto = forwarded('x-forwarded-proto') ?? (encrypted ? 'https' : 'http');
  const host = forwarded('x-forwarded-host') ?? req.headers.host ?? 'localhost';
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}

/** True for a webhook URL GitHub cannot reach: a placeholder (example.com) or a loopback address. */
function unreachableHook(manifest: Record<string, unknown>): string | undefined {
  const hook = (manifest.hook_attributes as { url?: unknown } | undefined)?.url;
  if (typeof hook !== 'string') return 'The manifest has no <code>hook_attributes.url</code>: GitHub would have nowhere to send webhooks.';
  let host: string;
  try {
    host = new URL(hook).hostname;
  } catch {
    return `<code>hook_attributes.url</code> (${escapeHtml(hook)}) is not a URL.`;
  }
  if (host === 'example.com' || host.endsWith('.example.com') || host === 'localhost' || host.startsWith('127.') || host === '[::1]') {
    return `<code>hook_attributes.url</code> is <code>${escapeHtml(hook)}</code>, which GitHub cannot reach: set it to where <code>cmdb serve</code> is reachable from GitHub, path <code>/webhooks/github</code>, before you submit.`;
  }
  return undefined;
}

function formPage(o: { manifest: Record<string, unknown>; target: string; org?: string; path: string }): string {
  const warning = unreachableHook(o.manifest);
  const account = o.org ? `the organisation <strong>${escapeHtml(o.org)}</strong>` : 'your personal account';
  return page(
    'Register the gitops-cmdb GitHub App',
    `<p>This form sends the App manifest to GitHub, which registers an App with the permissions and events
the controller needs, under ${account}. GitHub then sends you back to this page with a code to exchange for
the App's id, private key and webhook secret (within an hour).</p>
<form method="get" action="${escapeHtml(o.path)}">
  <label>Register under an organisation: <input name="org" value="${escapeHtml(o.org ?? '')}" placeholder="organisation login" pattern="[A-Za-z0-9][A-Za-z0-9-]{0,38}"></label>
  <button>Use it</button> (leave empty for your personal account)
</form>
${warning ? `<p class="warning">${warning}</p>` : ''}
<form method="post" action="${escapeHtml(o.target)}">
  <p><label for="manifest">Manifest (edit it if needed; <code>redirect_url</code> is this page):</label></p>
  <textarea id="manifest" name="manifest" rows="24" cols="100" spellcheck="false">${escapeHtml(JSON.stringify(o.manifest, null, 2))}</textarea>
  <p><button>Create the App on GitHub</button></p>
</form>`,
  );
}

function codePage(o: { code: string; apiUrl: string; knownState: boolean }): string {
  const curl = `curl -sSf -X POST -H 'Accept: application/vnd.github+json' ${o.apiUrl}/app-manifests/${o.code}/conversions > app.json`;
  const warning = o.knownState
    ? ''
    : `<p class="warning">This code was not requested from this page (its <code>state</code> is unknown, or the server restarted since).
Exchange it only if you just created the App yourself.</p>`;
  return page(
    'GitHub App created: exchange the code',
    `${warning}<p>GitHub registered the App and gave this one-time code, valid for one hour. Exchange it on a trusted machine
(the answer holds the App's private key and webhook secret; no token is needed):</p>
<pre>${escapeHtml(curl)}
jq -r .id app.json                      # GITHUB_APP_ID
jq -r .pem app.json &gt; cmdb-app.pem      # GITHUB_PRIVATE_KEY (this file's path, or the PEM itself)
jq -r .webhook_secret app.json          # GITHUB_WEBHOOK_SECRET
jq -r .html_url app.json                # the App's page: Install App, on the config repo</pre>
<p>Then install the App on the config repo (the App's page, <em>Install App</em>), keep <code>app.json</code> and the PEM
out of any repository, and start the controller with:</p>
<pre>GITHUB_APP_ID=&lt;id&gt; GITHUB_PRIVATE_KEY=/etc/cmdb/cmdb-app.pem GITHUB_WEBHOOK_SECRET=&lt;webhook_secret&gt; \\
  cmdb serve --github-repo OWNER/CONFIG-REPO --state-dir /var/lib/cmdb</pre>
<p>A second exchange of the same code fails: GitHub answers 404 once it has been used or has expired.</p>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
textarea, pre { font-family: ui-monospace, monospace; font-size: 0.9rem; width: 100%; box-sizing: border-box; }
pre { background: #f4f4f5; padding: 1rem; overflow-x: auto; }
.warning { background: #fff7ed; border-left: 4px solid #c2410c; padding: 0.5rem 1rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

function send(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}, formTarget?: string): void {
  const formAction = formTarget ? `'self' ${new URL(formTarget).origin}` : "'self'";
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : html);
}
