/**
 * The real browser for the web UI's tests: Debian's chromium (apt package
 * `chromium`, installed by .ci/run) driven by playwright-core, headless, and a
 * real `cmdb serve` (startRuntime) serving a fresh build of web/ (bin/build-web.js).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { buildWeb } from '../../bin/build-web.js';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';

/** Where chromium is: CMDB_CHROMIUM, else Debian's. */
export const CHROMIUM = process.env.CMDB_CHROMIUM || '/usr/bin/chromium';

/** Launches chromium; a missing one fails with what to install (in CI and outside it: no test is skipped). */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`The web UI's browser tests need Chromium at ${CHROMIUM}${process.env.CI ? ' (CI=true: .ci/run installs it)' : ''}: install Debian's package (apt-get install chromium) or set CMDB_CHROMIUM to a Chromium binary.`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** web/ built into a temp dir (the same build `npm run build:web` makes). */
export async function buildWebInTemp(): Promise<{ dir: string; remove(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-web-'));
  await buildWeb({ outdir: path.join(dir, 'web') });
  return { dir: path.join(dir, 'web'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** `cmdb serve` on `repo` (anonymous reads on loopback), serving the UI from `webDir`. */
export function serve(repo: string, webDir: string, env: NodeJS.ProcessEnv = {}): Promise<Runtime> {
  return startRuntime({ flags: { repo, ref: 'main', port: 0, poll: 0 }, env: { CMDB_WEB_DIR: webDir, ...env }, log: pino({ level: 'silent' }), out: () => undefined });
}

/** Console errors and uncaught exceptions of a page, collected from its creation. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  return errors;
}

/** A new page of `context` at `url`, watching its errors, once its title (the first h1) is there. */
export async function openPage(context: import('playwright-core').BrowserContext, url: string): Promise<{ page: import('playwright-core').Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  await page.locator('h1').first().waitFor();
  return { page, errors };
}
