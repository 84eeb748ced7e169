import { describe, expect, it } from 'vitest';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import type { Violation } from '../../catalog/types.ts';
import { gitSourceLoader } from '../../policies/positions.ts';
import { checkPolicies } from '../../policies/rulebook.ts';
import { TestRepo } from '../helpers/gitRepo.ts';
import { check, orgFiles, policy, touch, violationsOf } from './helpers.ts';

const POLICY_HEAD = 'apiVersion: cmdb/v1\nkind: ChangePolicy\nmetadata:\n  name: bad\nspec:\n  description: broken\n';
const WINDOW_HEAD = 'apiVersion: cmdb/v1\nkind: ChangeWindow\nmetadata:\n  name: bad-window\nspec:\n  type: freeze\n  start: "2026-01-01T00:00:00Z"\n  end: "2026-01-02T00:00:00Z"\n';

/** 1-based line and column of the `occurrence`-th `needle` in `text` (the line holding `after`, when given). */
function positionOf(text: string, needle: string, after?: string): [number, number] {
  const lines = text.split('\n');
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  for (let i = Math.max(start, 0); i < lines.length; i++) {
    const column = lines[i].indexOf(needle);
    if (column >= 0) return [i + 1, column + 1];
  }
  throw new Error(`${needle} not in text`);
}

describe('bad policies and windows are validation errors at file, line and column', () => {
  it.each([
    // case, file text, rule, message, [needle, line containing] where the error is
    ['a CEL syntax error', `${POLICY_HEAD}  match: "impact.count > > 1"\n  risk: high\n`, 'cel', /^spec\.match: CEL syntax error: /, ['> 1', 'match:']],
    ['a CEL syntax error in a rule', `${POLICY_HEAD}  rules:\n    - expression: "change.entities.all(e, e.op == )"\n      message: m\n`, 'cel', /^spec\.rules\[0\]\.expression: CEL syntax error/, [')"', 'expression:']],
    ['a CEL type error', `${POLICY_HEAD}  rules:\n    - expression: "impact.count + 'x' == 1"\n      message: m\n`, 'cel', /^spec\.rules\[0\]\.expression: CEL type error: .*int.*string/, ['impact.count', 'expression:']],
    ['an unknown variable', `${POLICY_HEAD}  match: "size(change.entities) > 0 && foo"\n  risk: low\n`, 'cel', /Unknown variable: foo; the variables here are change, impact, now and windows$/, ['foo', 'match:']],
    ['entity in a policy', `${POLICY_HEAD}  match: "entity.criticality == 'high'"\n  risk: low\n`, 'cel', /Unknown variable: entity/, ['entity', 'match:']],
    ['an unknown field', `${POLICY_HEAD}  match: "change.nope == 'x'"\n  risk: low\n`, 'cel', /No such key: nope; docs\/policies\.md lists the fields/, ['nope', 'match:']],
    ['a field of the wrong type', `${POLICY_HEAD}  match: "impact.count == 'many'"\n  risk: low\n`, 'cel', /CEL type error/, ['impact', 'match:']],
    ['an expression that is not true or false', `${POLICY_HEAD}  match: "impact.count"\n  risk: low\n`, 'cel', /^spec\.match must give true or false, but it gives a value of type int$/, ['impact', 'match:']],
    ['an error on a later line of a folded block', `${POLICY_HEAD}  match: >-\n    impact.count > 1 &&\n    nope.x\n  risk: low\n`, 'cel', /Unknown variable: nope/, ['nope', 'nope']],
    ['an error in a literal block with a comment', `${POLICY_HEAD}  rules:\n    - message: m\n      expression: | # why\n        change.title == ''\n          && oops\n`, 'cel', /Unknown variable: oops/, ['oops', 'oops']],
    ['a window appliesTo with windows', `${WINDOW_HEAD}  appliesTo: "size(windows) > 0"\n`, 'cel', /Unknown variable: windows; the variables here are change, impact, now and entity$/, ['windows', 'appliesTo']],
    ['a window appliesTo with a type error', `${WINDOW_HEAD}  appliesTo: "entity.criticality > 2"\n`, 'cel', /CEL type error/, ['entity', 'appliesTo']],
    ['approvals from something that is not a group', `${POLICY_HEAD}  approvals:\n    - from: component:web\n`, 'policy-definition', /^spec\.approvals\[0\]\.from: "component:web" must name a Group or a User; write a group/, ['from:', 'from:']],
    ['an owner that is not a reference', `${POLICY_HEAD}  risk: low\n  owners: ["group:"]\n`, 'policy-definition', /^spec\.owners\[0\]: /, ['"group:"', 'owners']],
  ] as const)('%s', async (_name, text, rule, message, [needle, line]) => {
    const file = 'policies/bad.yaml';
    const { report } = await check({ head: { [file]: text, ...touch('docs-site') } });
    const found = report.violations.filter((v) => v.file === file);
    expect(found).toEqual([expect.objectContaining({ rule, severity: 'error', message: expect.stringMatching(message) })]);
    const [l, c] = positionOf(text, needle, line);
    expect([found[0].line, found[0].column]).toEqual([l, c]);
    expect(report.decision).toBe('blocked');
  });

  it.each([
    ['an enforcement that does not exist', `${POLICY_HEAD}  enforcement: sometimes\n  risk: low\n`, 'enforcement:'],
    ['a count that is not a number', `${POLICY_HEAD}  approvals:\n    - from: group:cab\n      count: two\n`, 'count:'],
    ['rules that are not a list', `${POLICY_HEAD}  rules: "impact.count > 1"\n`, 'rules:'],
    ['a risk that does not exist', `${POLICY_HEAD}  risk: extreme\n`, 'risk:'],
    ['a window start that is not a time', 'apiVersion: cmdb/v1\nkind: ChangeWindow\nmetadata:\n  name: w\nspec:\n  type: freeze\n  start: tomorrow\n  end: "2026-01-02T00:00:00Z"\n', 'start:'],
    ['a window type that does not exist', 'apiVersion: cmdb/v1\nkind: ChangeWindow\nmetadata:\n  name: w\nspec:\n  type: holiday\n  start: "2026-01-01T00:00:00Z"\n  end: "2026-01-02T00:00:00Z"\n', 'type:'],
  ])('wrong field types: %s', async (_name, text, needle) => {
    const { report } = await check({ head: { 'policies/bad.yaml': text, ...touch('docs-site') } });
    const found = report.violations.filter((v) => v.file === 'policies/bad.yaml');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((v) => v.severity === 'error' && v.line !== undefined && v.column !== undefined)).toBe(true);
    expect(found.map((v) => v.line)).toContain(positionOf(text, needle)[0]);
    expect(report.decision).toBe('blocked');
  });

  it('a broken policy is never evaluated, and one the base already had is a warning', async () => {
    const broken = policy('broken', { rules: [{ expression: 'foo', message: 'never evaluated' }], approvals: [{ from: 'group:cab' }] });
    const { report } = await check({ base: { 'p/broken.yaml': broken }, head: touch('docs-site') });
    expect(report.violations).toEqual([
      expect.objectContaining({ rule: 'cel', severity: 'warning', file: 'p/broken.yaml', message: expect.stringMatching(/Unknown variable: foo.*\(already on the base commit\)$/) }),
    ]);
    expect(violationsOf(report, 'broken')).toEqual([]);
    expect(report.approvals.required).toEqual([]);
    expect(report.decision).toBe('pass');
  });

  it('the policies of the base judge the change: a head that weakens one is still judged by it', async () => {
    const strict = policy('docs-cab', { match: "change.entities.exists(e, e.ref == 'component:default/docs-site')", approvals: [{ from: 'group:cab' }] });
    const weakened = policy('docs-cab', { match: 'false', approvals: [{ from: 'group:cab' }] });
    const { report } = await check({ base: { 'p.yaml': strict }, head: { 'p.yaml': weakened, ...touch('docs-site') } });
    expect(report.approvals.required.map((r) => r.from)).toEqual(['group:default/cab']);
  });

  it('a dyn expression that does not give true or false fails when run', async () => {
    const p = policy('stringly', { rules: [{ expression: 'change.entities[0].after.kind', message: 'kind' }] });
    const { report } = await check({ base: { 'p.yaml': p }, head: touch('docs-site') });
    expect(violationsOf(report, 'stringly')).toEqual([expect.objectContaining({ message: 'kind (the rule could not be evaluated: gave "Component", not true or false)' })]);
  });
});

describe('checkPolicies (for cmdb validate and catalog loading)', () => {
  it('type-checks every policy and window of a snapshot', async () => {
    const repo = TestRepo.create('cmdb-check-policies-');
    const git = new NativeGitReader({ dir: repo.dir });
    try {
      const text = `${POLICY_HEAD}  match: "impact.count >"\n  risk: high\n`;
      const commit = repo.commit(orgFiles({ 'policies/bad.yaml': text }));
      const reader = new CatalogReader({ git, cache: false });
      const snapshot = await reader.read(commit);
      const violations: Violation[] = await checkPolicies(snapshot, { raw: reader.configOf(snapshot).raw, loader: gitSourceLoader(git) });
      expect(violations).toEqual([
        { rule: 'cel', severity: 'error', message: 'spec.match: CEL syntax error: Unexpected token: EOF', ref: 'changepolicy:default/bad', file: 'policies/bad.yaml', line: 7, column: 25 },
      ]);
      const withoutText = await checkPolicies(snapshot);
      expect(withoutText[0]).toMatchObject({ file: 'policies/bad.yaml', line: 7 });
    } finally {
      await git.close();
      repo.remove();
    }
  });
});
