import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdb } from '../helpers/cli.ts';
import { TestRepo } from '../helpers/gitRepo.ts';
import { changeWindow, orgFiles, policy, service, fileOf } from './helpers.ts';

let repo: TestRepo;
let tmp: string;
let main: string;
let cartChange: string;
let docsChange: string;
let brokenPolicy: string;

const FREEZE = changeWindow('holiday-freeze', {
  type: 'freeze',
  start: '2026-12-20T00:00:00Z',
  end: '2027-01-04T00:00:00Z',
  appliesTo: "entity.criticality in ['critical', 'high']",
});
const MAINTENANCE = changeWindow('sunday', { type: 'maintenance', start: '2026-03-08T02:00:00Z', end: '2026-03-08T06:00:00Z' });
const LABELLED = policy('labelled', {
  enforcement: 'soft-mandatory',
  owners: ['group:data-team'],
  match: "change.entities.exists(e, e.ref == 'component:default/docs-site')",
  rules: [{ expression: "'docs' in change.labels && 'reviewed' in change.labels", message: 'docs changes carry the docs and reviewed labels' }],
});
const BAD = 'apiVersion: cmdb/v1\nkind: ChangePolicy\nmetadata:\n  name: bad\nspec:\n  description: broken\n  match: "impact.count >"\n  risk: high\n';

const IN_FREEZE = '2026-12-24T10:00:00Z';
const BEFORE_SUNDAY = '2026-03-01T00:00:00Z';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-policies-cli-'));
  process.env.CMDB_CACHE_DIR = path.join(tmp, 'cache');
  fs.writeFileSync(path.join(tmp, 'open.json'), JSON.stringify([{ id: 41, title: 'Checkout v3', impacted: ['component:default/checkout'] }, { id: '42', impacted: ['component:default/reports'] }]));
  fs.writeFileSync(path.join(tmp, 'bad-open.json'), JSON.stringify({ id: 1 }));
  fs.writeFileSync(path.join(tmp, 'named-open.json'), JSON.stringify([{ id: 43, title: 'By name', impacted: ['Checkout', 'nobody', 'component:reports'] }]));
  repo = TestRepo.create('cmdb-policies-cli-');
  main = repo.commit(orgFiles({ 'policies/windows.yaml': `${FREEZE}---\n${MAINTENANCE}`, 'policies/labelled.yaml': LABELLED }));
  cartChange = repo.commit({ [fileOf('cart')]: service('cart', { labels: { version: 'v2' } }) });
  repo.git('checkout', '-q', '-b', 'docs', main);
  docsChange = repo.commit({ [fileOf('docs-site')]: service('docs-site', { labels: { version: 'v2' } }) });
  repo.git('checkout', '-q', '-b', 'broken', main);
  brokenPolicy = repo.commit({ 'policies/bad.yaml': BAD });
});

afterAll(() => {
  repo.remove();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const checkJson = async (...args: string[]) => {
  const r = await cmdb('check', '--repo', repo.dir, '--format', 'json', ...args);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
};

describe('cmdb check with change management', () => {
  it('blocks a normal change during a freeze and exits 1, naming the policy and its enforcement', async () => {
    const { code, report } = await checkJson('--base', main, '--head', cartChange, '--at', IN_FREEZE);
    expect(code).toBe(1);
    expect(report).toMatchObject({ decision: 'blocked', risk: 'high', changeType: 'normal' });
    expect(report.windows.active).toEqual([expect.objectContaining({ name: 'holiday-freeze', type: 'freeze', entities: ['component:default/cart', 'component:default/checkout'] })]);
    expect(report.violations).toContainEqual(expect.objectContaining({ rule: 'policy', policy: 'freeze-windows', enforcement: 'hard-mandatory', severity: 'error', file: 'policies/windows.yaml' }));
  });

  it('lets an emergency change through with the CAB, with every flag', async () => {
    const { code, report } = await checkJson(
      '--base', main, '--head', cartChange, '--at', IN_FREEZE,
      '--label', 'emergency', '--label', 'hotfix', '--author', 'anguyen', '--approved-by', 'anguyen', '--approved-by', 'csmith',
      '--title', 'Hotfix the cart', '--open-changes', path.join(tmp, 'open.json'),
    );
    expect(code).toBe(0);
    expect(report).toMatchObject({ decision: 'pass', risk: 'high', changeType: 'emergency' });
    expect(report.approvals).toEqual({
      required: [{ from: 'group:default/cab', count: 1, reason: expect.stringMatching(/critical-needs-cab: .*; emergency-changes: /), satisfiedBy: ['csmith'] }],
      satisfied: true,
    });
    expect(report.conflicts).toEqual([{ id: '41', title: 'Checkout v3', refs: ['component:default/checkout'] }]);
    expect(report.windows.next).toBeNull();
  });

  it('needs approval without the CAB (exit 0), and reports the next maintenance window', async () => {
    const { code, report } = await checkJson('--base', main, '--head', cartChange, '--at', BEFORE_SUNDAY, '--author', 'csmith', '--approved-by', 'csmith');
    expect(code).toBe(0);
    expect(report.decision).toBe('needs-approval');
    expect(report.approvals.required[0]).toMatchObject({ from: 'group:default/cab', satisfiedBy: [] });
    expect(report.windows).toEqual({ active: [], next: expect.objectContaining({ name: 'sunday', start: '2026-03-08T02:00:00Z', end: '2026-03-08T06:00:00Z' }) });
  });

  it('takes repeated labels, and owners override a soft-mandatory policy by approving', async () => {
    const blocked = await checkJson('--base', main, '--head', docsChange, '--label', 'docs');
    expect(blocked.code).toBe(1);
    // a rule about the change as a whole is reported at the rule
    expect(blocked.report.violations).toEqual([expect.objectContaining({ policy: 'labelled', enforcement: 'soft-mandatory', severity: 'error', file: 'policies/labelled.yaml' })]);
    const labelled = await checkJson('--base', main, '--head', docsChange, '--label', 'docs', '--label', 'reviewed');
    expect(labelled.report.decision).toBe('pass');
    const overridden = await checkJson('--base', main, '--head', docsChange, '--approved-by', 'bmartin');
    expect(overridden.code).toBe(0);
    expect(overridden.report.violations).toEqual([expect.objectContaining({ policy: 'labelled', severity: 'warning', message: expect.stringMatching(/overridden: bmartin/) })]);
  });

  it('leads the text report with decision, risk and change type, then what blocks and who must approve', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', main, '--head', cartChange, '--at', BEFORE_SUNDAY, '--approved-by', 'ipetrov');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Decision: NEEDS APPROVAL {3}Risk: high {3}Change type: normal {3}[0-9a-f]{12}\.\.[0-9a-f]{12}$/);
    expect(lines[1]).toMatch(/risk raised by: policy critical-needs-cab \(high\)/);
    const approvals = lines.findIndex((l) => l.startsWith('Approvals needed (1 of 1 missing):'));
    expect(approvals).toBeGreaterThan(0);
    expect(lines[approvals + 1]).toMatch(/^ {2}✗ group:default\/cab: 0 of 1 {2}\(critical-needs-cab: /);
    expect(lines.findIndex((l) => l.startsWith('Changes ('))).toBeGreaterThan(approvals);
    expect(r.stdout).toMatch(/next maintenance: sunday \(maintenance, 2026-03-08T02:00:00Z to 2026-03-08T06:00:00Z\)/);

    const blocked = await cmdb('check', '--repo', repo.dir, '--base', main, '--head', cartChange, '--at', IN_FREEZE);
    const b = blocked.stdout.split('\n');
    expect(b[0]).toMatch(/^Decision: BLOCKED {3}Risk: high {3}Change type: normal/);
    const blocking = b.findIndex((l) => l.startsWith('Blocking (1):'));
    expect(b[blocking + 1]).toMatch(/^ {2}policies\/windows\.yaml:\d+:\d+: A change freeze is in force.* \[policy freeze-windows, hard-mandatory\]$/);
    expect(b.findIndex((l) => l.startsWith('Approvals needed'))).toBeGreaterThan(blocking);
  });

  it('resolves names in --open-changes like every ref: a unique name is its entity, an unknown one a warning', async () => {
    const { report } = await checkJson('--base', main, '--head', cartChange, '--at', IN_FREEZE, '--open-changes', path.join(tmp, 'named-open.json'));
    expect(report.conflicts).toEqual([{ id: '43', title: 'By name', refs: ['component:default/checkout'] }]);
    expect(report.violations).toContainEqual({
      rule: 'open-changes',
      severity: 'warning',
      message: expect.stringMatching(/^open change 43 names "nobody", left out of the overlaps: no entity "nobody" at the head commit [0-9a-f]{12}$/),
    });
    expect(report.violations.filter((v: { rule: string }) => v.rule === 'open-changes')).toHaveLength(1);
  });

  it('leads the Markdown report the same way', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', main, '--head', cartChange, '--at', IN_FREEZE, '--format', 'markdown', '--open-changes', path.join(tmp, 'open.json'));
    const md = r.stdout;
    expect(md).toMatch(/^## gitops-cmdb: ⛔ Blocked\n\n\*\*Risk:\*\* high · \*\*Change type:\*\* normal · comparing `[0-9a-f]{12}` → `[0-9a-f]{12}`\n/);
    const order = ['### What blocks this change', '### Who must approve', '### Change windows', '### Overlaps with open changes', '### Changes (1)'].map((h) => md.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toMatch(/\| ⏳ `group:default\/cab` \| 0 of 1 \| — \| critical-needs-cab: /);
    expect(md).toMatch(/\(`policy freeze-windows, hard-mandatory`\)/);
    expect(md).toMatch(/- 41 \(Checkout v3\): `component:default\/checkout`/);
  });

  it('reports a broken policy at file:line:column and exits 1', async () => {
    const json = await checkJson('--base', main, '--head', brokenPolicy);
    expect(json.code).toBe(1);
    expect(json.report.violations).toEqual([
      { rule: 'cel', severity: 'error', message: 'spec.match: CEL syntax error: Unexpected token: EOF', ref: 'changepolicy:default/bad', file: 'policies/bad.yaml', line: 7, column: 25 },
    ]);
    const text = await cmdb('check', '--repo', repo.dir, '--base', main, '--head', brokenPolicy);
    expect(text.stdout).toMatch(/^ {2}policies\/bad\.yaml:7:25: spec\.match: CEL syntax error: Unexpected token: EOF \[cel\]$/m);
  });

  it.each([
    ['a time without a zone', ['--at', '2026-12-24T10:00:00'], /--at "2026-12-24T10:00:00" is not an RFC 3339 date-time/],
    ['not a time', ['--at', 'tomorrow'], /not an RFC 3339 date-time with a time zone, e.g. 2026-12-24T10:00:00Z/],
    ['a missing open-changes file', ['--open-changes', '/nonexistent/open.json'], /--open-changes: cannot read \/nonexistent\/open\.json \(ENOENT\)/],
    ['open changes of the wrong shape', ['--open-changes', 'BAD'], /bad-open\.json: must be a JSON array/],
  ])('exits 2 with one line for %s', async (_name, args, message) => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', main, '--head', docsChange, ...args.map((a) => (a === 'BAD' ? path.join(tmp, 'bad-open.json') : a)));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
