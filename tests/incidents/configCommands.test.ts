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

const CMDB_YAML = ['include: ["**/*.yaml"]', 'incidents:', '  for: 30', '  correlation: {window: 2m, depth: 3}', '  alerts:', '    labels:', "      - {label: service, ref: 'component:api'}", ''].join('\n');
const svc = (name: string, labels: Record<string, string> = {}) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'shop-team' }, { labels });

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-incidents-config-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  repo = TestRepo.create('cmdb-incidents-config-');
  base = repo.commit({ 'teams.yaml': entity('Group', 'shop-team', { type: 'team', children: [] }), 'web.yaml': svc('web') });
  badConfig = repo.commit({ 'cmdb.yaml': CMDB_YAML, 'web.yaml': svc('web', { version: 'v2' }) });
  later = repo.commit({ 'web.yaml': svc('web', { version: 'v3' }) });
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

describe('a bad incidents section of cmdb.yaml', () => {
  it('fails cmdb validate, naming file, line and column of each bad setting', async () => {
    const r = await cmdb('validate', '--repo', repo.dir, '--ref', badConfig);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cmdb.yaml:3:3: incidents.for must be a duration such as 30s, 2m, 1h30m or 7d (whole numbers with ms, s, m, h, d or w), not 30 [config]');
    expect(r.stdout).toContain("cmdb.yaml:7:26: incidents.alerts.labels[0].ref must be a ref template with {value}, as in 'component:{value}' [config]");
    expect((await cmdb('validate', '--repo', repo.dir, '--ref', base)).code).toBe(0);
  });

  it('blocks cmdb check, and is a warning once the base has it', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', base, '--head', badConfig);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Decision: BLOCKED/);
    expect(r.stdout).toContain('cmdb.yaml:3:3: incidents.for must be a duration');
    const later_ = await cmdb('check', '--repo', repo.dir, '--base', badConfig, '--head', later, '--format', 'json');
    expect(JSON.parse(later_.stdout).violations).toContainEqual({
      rule: 'config',
      severity: 'warning',
      file: 'cmdb.yaml',
      line: 3,
      column: 3,
      message: 'incidents.for must be a duration such as 30s, 2m, 1h30m or 7d (whole numbers with ms, s, m, h, d or w), not 30 (already on the base commit)',
    });
  });
});
