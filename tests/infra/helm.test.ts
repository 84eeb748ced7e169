import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HELM_VERSION, findHelmInstallation, helmInstallationDir, requireHelm } from './helm.ts';
import { KubeInfraError } from './kube.ts';

describe('finding the helm build (tests/infra/helm.ts)', () => {
  const saved = { cache: process.env.CMDB_HELM_CACHE_DIR, ci: process.env.CI };
  let empty: string;
  beforeEach(() => {
    empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-helm-cache-'));
    process.env.CMDB_HELM_CACHE_DIR = empty;
  });
  afterEach(() => {
    for (const [name, value] of [['CMDB_HELM_CACHE_DIR', saved.cache], ['CI', saved.ci]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('keeps each version in its own folder of the cache root', () => {
    expect(helmInstallationDir().startsWith(path.join(empty, `${HELM_VERSION}-`))).toBe(true);
  });

  it('fails a test that needs a missing helm with the command that builds it, and says so under CI', () => {
    delete process.env.CI;
    expect(findHelmInstallation()).toBeUndefined();
    const error = (() => { try { requireHelm(); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(KubeInfraError);
    expect((error as KubeInfraError).code).toBe('HELM_NOT_INSTALLED');
    expect((error as Error).message).toMatch(new RegExp(`^helm ${HELM_VERSION} is not built on this machine yet: run \`npm run helm:install\` once`));
    process.env.CI = 'true';
    expect(() => requireHelm()).toThrow(/^\(CI=true: \.ci\/run builds it with `npm run helm:install` before the tests\) helm /);
  });

  it('finds a build once its installed.json is there', () => {
    const dir = helmInstallationDir();
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'installed.json'), '{}\n');
    expect(requireHelm()).toEqual({ dir, helm: path.join(dir, 'bin', 'helm') });
  });
});
