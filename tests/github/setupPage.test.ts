import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSetupPage } from '../../controller/github/setupPage.ts';

const MANIFEST = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../github-app-manifest.json'), 'utf8')) as Record<string, unknown>;
const HOSTILE = { ...MANIFEST, description: `</textarea><script>alert("x")</script> & 'quotes'`, hook_attributes: { url: 'https://cmdb.acme.test/webhooks/github', active: true } };

/** A loopback server with `handler` at /setup/github; resolves to its base URL. */
async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (new URL(req.url!, 'http://x').pathname === '/setup/github') handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const unescape = (html: string): string =>
  html.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

/** The POST form of the page: its action and the manifest field's value, as a browser would read them. */
function manifestForm(html: string): { action: string; manifest: string } {
  const form = /<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/.exec(html);
  expect(form, 'a POST form').not.toBeNull();
  const textarea = /<textarea[^>]* name="manifest"[^>]*>([\s\S]*?)<\/textarea>/.exec(form![2]);
  expect(textarea, 'a manifest field in it').not.toBeNull();
  return { action: unescape(form![1]), manifest: unescape(textarea![1]) };
}

let page: Awaited<ReturnType<typeof serve>>;
let hostile: Awaited<ReturnType<typeof serve>>;
let ghes: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  page = await serve(createGitHubSetupPage({ manifest: MANIFEST }));
  hostile = await serve(createGitHubSetupPage({ manifest: HOSTILE }));
  ghes = await serve(createGitHubSetupPage({ manifest: MANIFEST, githubUrl: 'https://ghe.acme.test/' }));
});
afterAll(async () => {
  await Promise.all([page, hostile, ghes].map((s) => s.close()));
});

describe('GitHub App setup page', () => {
  it('serves a form POSTing the manifest to github.com, redirect_url pointing back at the page', async () => {
    const r = await fetch(`${page.url}/setup/github`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const { action, manifest } = manifestForm(await r.text());
    expect(action).toMatch(/^https:\/\/github\.com\/settings\/apps\/new\?state=[0-9a-f]{32}$/);
    expect(JSON.parse(manifest)).toEqual({ ...MANIFEST, redirect_url: `${page.url}/setup/github` });
  });

  it('keeps the page safe: no script, a CSP allowing forms to GitHub only, no Referer, no caching', async () => {
    const r = await fetch(`${page.url}/setup/github`);
    const html = await r.text();
    expect(html).not.toMatch(/<script/i);
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self' https:\/\/github\.com;/);
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(html).toMatch(/hook_attributes\.url<\/code> is <code>https:\/\/cmdb\.example\.com\/webhooks\/github<\/code>, which GitHub cannot reach/);
  });

  it('escapes the manifest: hostile text stays inside the field and comes back unchanged', async () => {
    const html = await (await fetch(`${hostile.url}/setup/github`)).text();
    expect(html).not.toContain('<script>');
    expect(html.match(/<\/textarea>/g)).toHaveLength(1);
    expect(JSON.parse(manifestForm(html).manifest).description).toBe(HOSTILE.description);
    expect(html).not.toMatch(/cannot reach/);
  });

  it('registers under an organisation with ?org=, and refuses a name that is not one', async () => {
    const { action } = manifestForm(await (await fetch(`${page.url}/setup/github?org=acme-inc`)).text());
    expect(action).toMatch(/^https:\/\/github\.com\/organizations\/acme-inc\/settings\/apps\/new\?state=[0-9a-f]{32}$/);
    const bad = await fetch(`${page.url}/setup/github?org=${encodeURIComponent('"><img src=x>')}`);
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).not.toContain('<img');
    expect(text).toContain('&quot;\\&quot;&gt;&lt;img src=x&gt;&quot; is not a GitHub organisation login');
  });

  it('completes the flow: the form reaches GitHub with the manifest, GitHub sends the browser back with ?code=, the page explains the exchange', async () => {
    // A stand-in for GitHub's /settings/apps/new: reads the form field as GitHub does, redirects to redirect_url with code and state.
    let received: Record<string, unknown> | undefined;
    let request: { method?: string; type?: string } = {};
    const github = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://x');
        request = { method: req.method, type: req.headers['content-type'] };
        received = JSON.parse(new URLSearchParams(body).get('manifest')!) as Record<string, unknown>;
        res.writeHead(302, { Location: `${String(received.redirect_url)}?code=a1b2c3d4e5&state=${url.searchParams.get('state')}` }).end();
      });
    });
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    const githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
    const setup = await serve(createGitHubSetupPage({ manifest: MANIFEST, githubUrl }));
    try {
      const { action, manifest } = manifestForm(await (await fetch(`${setup.url}/setup/github`)).text());
      expect(action.startsWith(`${githubUrl}/settings/apps/new?state=`)).toBe(true);
      // Submitting the form: the field urlencoded, then the redirect followed with a GET.
      const back = await fetch(action, { method: 'POST', body: new URLSearchParams({ manifest }) });
      expect(request).toEqual({ method: 'POST', type: expect.stringMatching(/^application\/x-www-form-urlencoded\b/) });
      expect(received).toEqual({ ...MANIFEST, redirect_url: `${setup.url}/setup/github` });
      expect(back.url).toMatch(new RegExp(`^${setup.url}/setup/github\\?code=a1b2c3d4e5&state=[0-9a-f]{32}$`));
      expect(back.status).toBe(200);
      const html = unescape(await back.text());
      expect(html).toContain(`curl -sSf -X POST -H 'Accept: application/vnd.github+json' ${githubUrl}/api/v3/app-manifests/a1b2c3d4e5/conversions > app.json`);
      for (const variable of ['GITHUB_APP_ID', 'GITHUB_PRIVATE_KEY', 'GITHUB_WEBHOOK_SECRET']) expect(html).toContain(variable);
      expect(html).not.toMatch(/not requested from this page/);
    } finally {
      await setup.close();
      await new Promise((resolve) => github.close(resolve));
    }
  });

  it('explains the exchange with api.github.com for github.com', async () => {
    const html = unescape(await (await fetch(`${page.url}/setup/github?code=a1b2c3`)).text());
    expect(html).toContain('https://api.github.com/app-manifests/a1b2c3/conversions');
  });

  it('warns about a code whose state it did not hand out, and refuses one that is not a code', async () => {
    const stranger = await (await fetch(`${page.url}/setup/github?code=a1b2c3&state=forged`)).text();
    expect(stranger).toMatch(/not requested from this page/);
    const bad = await fetch(`${page.url}/setup/github?code=${encodeURIComponent('x"><script>alert(1)</script>')}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toMatch(/<script|alert/);
  });

  it('targets a GitHub Enterprise Server and its /api/v3', async () => {
    const { action } = manifestForm(await (await fetch(`${ghes.url}/setup/github`)).text());
    expect(action).toMatch(/^https:\/\/ghe\.acme\.test\/settings\/apps\/new\?state=/);
    const html = unescape(await (await fetch(`${ghes.url}/setup/github?code=abc`)).text());
    expect(html).toContain('https://ghe.acme.test/api/v3/app-manifests/abc/conversions');
  });

  it('takes the origin from X-Forwarded-Proto/Host behind a proxy', async () => {
    const r = await fetch(`${page.url}/setup/github`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'cmdb.acme.test' } });
    expect(JSON.parse(manifestForm(await r.text()).manifest).redirect_url).toBe('https://cmdb.acme.test/setup/github');
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    const r = await fetch(`${page.url}/setup/github`, { method: 'POST', body: 'x' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${page.url}/setup/github`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});
