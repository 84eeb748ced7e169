import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdb } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let cacheDir: string;
let base: string;
let badConfig: string;
let later: string;

const CMDB_YAML = ['include: ["**/*.yaml"]', 'changeManagement:', '  cabGroup: component:web', '  risk:', '    blastRadius:', '      moderate: ten', ''].join('\n');
const svc = (name: string, labels: Record<string, string> = {}) =>
  entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'shop-team' }, { labels });

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-cli-cm-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  repo = TestRepo.create('cmdb-cli-cm-');
  base = repo.commit({ 'teams.yaml': entity('Group', 'shop-team', { type: 'team', children: [] }), 'web.yaml': svc('web') });
  badConfig = repo.commit({ 'cmdb.yaml': CMDB_YAML, 'web.yaml': svc('web', { version: 'v2' }) });
  later = repo.commit({ 'web.yaml': svc('web', { version: 'v3' }) });
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

describe('cmdb check with a bad changeManagement section in cmdb.yaml', () => {
  it('blocks, naming file, line and column of each bad setting', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', base, '--head', badConfig);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Decision: BLOCKED/);
    expect(r.stdout).toContain('cmdb.yaml:3:3: changeManagement.cabGroup must be a Group reference, e.g. group:cab [config]');
    expect(r.stdout).toContain('cmdb.yaml:6:7: changeManagement.risk.blastRadius.moderate must be a whole number of impacted entities [config]');
  });

  it('reports them, still at their place, as warnings once the base has them', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', badConfig, '--head', later, '--format', 'json');
    const report = JSON.parse(r.stdout);
    expect(report.violations).toContainEqual({
      rule: 'config',
      severity: 'warning',
      file: 'cmdb.yaml',
      line: 3,
      column: 3,
      message: 'changeManagement.cabGroup must be a Group reference, e.g. group:cab (already on the base commit)',
    });
  });
});
