import { describe, expect, it } from 'vitest';
import { check, fileOf, policy, touch, violationsOf } from './helpers.ts';

/** A policy docs-site changes always fail, owned by platform (sre is its child group). */
const guard = (enforcement: string) =>
  policy('docs-guard', {
    enforcement,
    owners: ['group:platform'],
    rules: [{ expression: "change.entities.all(e, e.ref != 'component:default/docs-site')", message: 'docs-site is guarded' }],
  });

describe('enforcement levels', () => {
  it.each([
    // enforcement, approvedBy, author, decision, severity
    ['hard-mandatory', [], undefined, 'blocked', 'error'],
    ['hard-mandatory', ['ipetrov'], undefined, 'blocked', 'error'], // owners cannot override a hard-mandatory policy
    ['soft-mandatory', [], undefined, 'blocked', 'error'],
    ['soft-mandatory', ['ipetrov'], undefined, 'pass', 'warning'], // ivan is in sre, a child group of platform
    ['soft-mandatory', ['IPETROV'], undefined, 'pass', 'warning'], // logins are case-insensitive
    ['soft-mandatory', ['ipetrov'], 'ipetrov', 'blocked', 'error'], // the author never counts
    ['soft-mandatory', ['anguyen'], undefined, 'blocked', 'error'], // not an owner
    ['soft-mandatory', ['nobody'], undefined, 'blocked', 'error'], // no such user
    ['advisory', [], undefined, 'pass', 'warning'],
  ] as const)('%s approved by %j (author %s): %s', async (enforcement, approvedBy, author, decision, severity) => {
    const { report } = await check({ base: { 'policies/guard.yaml': guard(enforcement) }, head: touch('docs-site'), input: { approvedBy: [...approvedBy], author } });
    expect(report.decision).toBe(decision);
    const [v] = violationsOf(report, 'docs-guard');
    expect(v).toMatchObject({
      rule: 'policy',
      policy: 'docs-guard',
      enforcement,
      severity,
      ref: 'component:default/docs-site',
      file: fileOf('docs-site'),
      line: expect.any(Number),
      column: expect.any(Number),
      message: expect.stringMatching(/^docs-site is guarded/),
    });
    if (decision === 'pass' && enforcement === 'soft-mandatory') expect(v.message).toMatch(/overridden: ipetrov approved for the policy's owners/i);
  });

  it('a policy whose match does not hold is not evaluated', async () => {
    const p = policy('only-cart', { match: "change.entities.exists(e, e.ref == 'component:default/cart')", rules: [{ expression: 'false', message: 'never' }] });
    const { report } = await check({ base: { 'policies/p.yaml': p }, head: touch('docs-site') });
    expect(report.decision).toBe('pass');
    expect(report.policies).not.toContain('only-cart');
  });

  it('a rule about the change as a whole is reported at the policy rule', async () => {
    const p = policy('needs-title', { rules: [{ expression: "change.title != ''", message: 'Give the change a title' }] });
    const { report } = await check({ base: { 'policies/p.yaml': p }, head: touch('docs-site') });
    expect(report.decision).toBe('blocked');
    expect(violationsOf(report, 'needs-title')).toEqual([
      expect.objectContaining({ ref: 'changepolicy:default/needs-title', file: 'policies/p.yaml', message: 'Give the change a title', line: expect.any(Number) }),
    ]);
    const titled = await check({ base: { 'policies/p.yaml': p }, head: touch('docs-site'), input: { title: 'Tune docs' } });
    expect(titled.report.decision).toBe('pass');
  });

  it('reports one violation per entity that breaks a rule', async () => {
    const p = policy('no-labels', { enforcement: 'advisory', rules: [{ expression: "change.entities.all(e, !has(e.after.metadata.labels))", message: 'no labels' }] });
    const { report } = await check({ base: { 'policies/p.yaml': p }, head: { ...touch('docs-site'), ...touch('reports') } });
    expect(violationsOf(report, 'no-labels').map((v) => v.ref)).toEqual(['component:default/docs-site', 'component:default/reports']);
  });

  it('a rule that fails at run time is a violation of the policy (fail closed)', async () => {
    const p = policy('strict', { rules: [{ expression: 'change.entities.all(e, e.after.spec.nope == 1)', message: 'nope must be 1' }] });
    const { report } = await check({ base: { 'policies/p.yaml': p }, head: touch('docs-site') });
    expect(report.decision).toBe('blocked');
    expect(violationsOf(report, 'strict')[0].message).toMatch(/^nope must be 1/);
  });
});
