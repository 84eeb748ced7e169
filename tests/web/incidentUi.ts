/**
 * What the incident and problem pages' tests share: a real `cmdb serve
 * --reconcile` (startRuntime) on a test repo, with a state dir, Alertmanager's
 * webhook and a tokens file holding a viewer and a responder, serving a fresh
 * build of web/; chromium with one context per role (its token in
 * sessionStorage, as the UI keeps it); Alertmanager's documented payload.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { sha256Hex } from '../../server/auth/tokensFile.ts';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { TestRepo } from '../helpers/gitRepo.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { buildWebInTemp, launchChromium, openPage } from './browser.ts';

export const TOKENS = { viewer: 'cmdb_viewer-ui-0001', responder: 'cmdb_responder-ui-0002' };
export type Role = keyof typeof TOKENS;
const AM_TOKEN = 'alertmanager-token-for-the-ui-tests';

export interface IncidentUi {
  repo: TestRepo;
  runtime: Runtime;
  browser: Browser;
  /** The browser context of `role` (signed in with its token). */
  context(role: Role): BrowserContext;
  /** A new page of `role` at `url`, watching its errors, once its title is there. */
  open(role: Role, url: string): Promise<{ page: Page; errors: string[] }>;
  /** Alertmanager's webhook with one alert per ref; the HTTP status. */
  alerts(status: 'firing' | 'resolved', refs: string[], name?: string): Promise<number>;
  close(): Promise<void>;
}

/** The server on a repo of `files` (its first commit), its incident engine leading, and the browser. */
export async function startIncidentUi(prefix: string, files: Record<string, string>): Promise<IncidentUi> {
  const repo = TestRepo.create(`${prefix}-`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-state-`));
  const contexts: Partial<Record<Role, BrowserContext>> = {};
  let runtime: Runtime | undefined;
  let browser: Browser | undefined;
  let web: { remove(): void } | undefined;
  const close = async () => {
    for (const ctx of Object.values(contexts)) await ctx?.close();
    await browser?.close();
    await runtime?.shutdown();
    web?.remove();
    repo.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    repo.commit(files);
    const tokens = path.join(dir, 'tokens.yaml');
    fs.writeFileSync(tokens, stringify({ tokens: [{ name: 'grafana', role: 'viewer', sha256: sha256Hex(TOKENS.viewer) }, { name: 'pager-bot', role: 'responder', sha256: sha256Hex(TOKENS.responder) }] }));
    const [built, launched] = await Promise.all([buildWebInTemp(), launchChromium()]);
    [web, browser] = [built, launched];
    runtime = await startRuntime({
      flags: { repo: repo.dir, ref: 'main', stateDir: path.join(dir, 'state'), port: 0, poll: 0, reconcile: true, tokens, anonymousRead: false },
      env: { CMDB_ALERTMANAGER_TOKEN: AM_TOKEN, CMDB_WEB_DIR: built.dir },
      log: pino({ level: 'silent' }),
      out: () => undefined,
    });
    const rt = runtime;
    await waitFor('the incident engine leads', () => rt.leadership.isLeader());
    for (const role of Object.keys(TOKENS) as Role[]) {
      const ctx = await launched.newContext({ baseURL: rt.url, viewport: { width: 1280, height: 900 } });
      await ctx.addInitScript((t) => sessionStorage.setItem('cmdb.token', t), TOKENS[role]);
      contexts[role] = ctx;
    }
    const alerts = async (status: 'firing' | 'resolved', refs: string[], name = 'Down'): Promise<number> => {
      const body = {
        version: '4', groupKey: `{}:{alertname="${name}"}`, truncatedAlerts: 0, status, receiver: 'cmdb', groupLabels: { alertname: name }, commonLabels: { alertname: name }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
        alerts: refs.map((ref) => ({
          status, labels: { alertname: name, cmdb_ref: ref }, annotations: { summary: `${ref} is down` },
          startsAt: new Date().toISOString(), endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(), generatorURL: 'http://prometheus/graph', fingerprint: `fp-${name}-${ref}`,
        })),
      };
      const res = await fetch(`${rt.url.replace(/\/$/, '')}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${AM_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return res.status;
    };
    return { repo, runtime: rt, browser: launched, context: (role) => contexts[role]!, open: (role, url) => openPage(contexts[role]!, url), alerts, close };
  } catch (e) {
    await close();
    throw e;
  }
}
