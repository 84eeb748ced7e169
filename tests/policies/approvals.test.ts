import { describe, expect, it } from 'vitest';
import { check, fileOf, policy, service, touch, USERS } from './helpers.ts';

/** Policies that apply to every change touching docs-site. */
const onDocs = (name: string, approvals: unknown[]) =>
  policy(name, { match: "change.entities.exists(e, e.ref == 'component:default/docs-site')", approvals });

describe('approvals', () => {
  it.each([
    // case, approvals, approvedBy, author, required [from, count, satisfiedBy], satisfied
    ['a direct member satisfies a group', [{ from: 'group:cab' }], ['csmith'], undefined, [['group:default/cab', 1, ['csmith']]], true],
    ['a member of a child group satisfies the parent', [{ from: 'platform' }], ['ipetrov'], undefined, [['group:default/platform', 1, ['ipetrov']]], true],
    ['a member of another group does not', [{ from: 'platform' }], ['anguyen'], undefined, [['group:default/platform', 1, []]], false],
    ['the author never counts', [{ from: 'group:sre' }], ['ipetrov'], 'ipetrov', [['group:default/sre', 1, []]], false],
    ['the author never counts, whatever the case', [{ from: 'group:sre' }], ['ipetrov'], 'IPetrov', [['group:default/sre', 1, []]], false],
    ['logins are case-insensitive', [{ from: 'group:sre' }], ['IPETROV'], undefined, [['group:default/sre', 1, ['IPETROV']]], true],
    ['a reviewer counts once', [{ from: 'group:cab', count: 2 }], ['csmith', 'CSmith'], undefined, [['group:default/cab', 2, ['csmith']]], false],
    ['an unknown login does not count', [{ from: 'group:cab' }], ['mallory'], undefined, [['group:default/cab', 1, []]], false],
    ['a User can be required', [{ from: 'user:bob' }], ['bmartin'], undefined, [['user:default/bob', 1, ['bmartin']]], true],
    ['several requirements, one reviewer each', [{ from: 'group:cab' }, { from: 'group:data-team' }], ['csmith', 'bmartin'], undefined, [['group:default/cab', 1, ['csmith']], ['group:default/data-team', 1, ['bmartin']]], true],
    ['one reviewer can count for several groups', [{ from: 'group:sre' }, { from: 'group:platform' }], ['ipetrov'], undefined, [['group:default/platform', 1, ['ipetrov']], ['group:default/sre', 1, ['ipetrov']]], true],
  ] as const)('%s', async (_name, approvals, approvedBy, author, required, satisfied) => {
    const { report } = await check({ base: { 'p.yaml': onDocs('docs-approvals', [...approvals]) }, head: touch('docs-site'), input: { approvedBy: [...approvedBy], author } });
    expect(report.approvals.required.map((r) => [r.from, r.count, r.satisfiedBy])).toEqual(required);
    expect(report.approvals.satisfied).toBe(satisfied);
    expect(report.decision).toBe(satisfied ? 'pass' : 'needs-approval');
    for (const r of report.approvals.required) expect(r.reason).toBe('docs-approvals: test policy docs-approvals');
  });

  it('is the union of the matched policies: the same group once, the highest count, every reason', async () => {
    const base = { 'a.yaml': onDocs('cab-one', [{ from: 'group:cab' }]), 'b.yaml': onDocs('cab-two', [{ from: 'group:cab', count: 2 }]), 'c.yaml': policy('unmatched', { match: 'false', approvals: [{ from: 'group:sre' }] }) };
    const { report } = await check({ base, head: touch('docs-site'), input: { approvedBy: ['csmith'] } });
    expect(report.approvals).toEqual({
      required: [{ from: 'group:default/cab', count: 2, reason: 'cab-one: test policy cab-one; cab-two: test policy cab-two', satisfiedBy: ['csmith'] }],
      satisfied: false,
    });
  });

  it.each([
    // case, from, head, required owners
    ['owners-of-impacted: every owner of what is changed or impacted', 'owners-of-impacted', touch('redis'), ['group:default/shop-team', 'group:default/sre']],
    ['owners-of-changed: owners of the changed entities only', 'owners-of-changed', touch('redis'), ['group:default/sre']],
    ['owners-of-changed asks the owner before the change', 'owners-of-changed', { [fileOf('docs-site')]: service('docs-site', { spec: { owner: 'shop-team' } }) }, ['group:default/data-team']],
  ] as const)('%s', async (_name, from, head, owners) => {
    const { report } = await check({ base: { 'p.yaml': policy('owners', { approvals: [{ from }] }) }, head: { ...head }, input: { approvedBy: ['ipetrov'] } });
    const ownerRequirements = report.approvals.required.filter((r) => r.reason.startsWith('owners:'));
    expect(ownerRequirements.map((r) => r.from)).toEqual(owners);
    const sre = ownerRequirements.find((r) => r.from === 'group:default/sre');
    if (sre) expect(sre).toEqual({ from: 'group:default/sre', count: 1, reason: 'owners: owner of resource:default/redis', satisfiedBy: ['ipetrov'] });
    const shop = ownerRequirements.find((r) => r.from === 'group:default/shop-team');
    if (shop) expect(shop.reason).toBe('owners: owner of component:default/cart, component:default/checkout, component:default/web');
  });

  it('a required group missing from the catalog is a warning, and the change needs approval', async () => {
    const { report } = await check({ base: { 'p.yaml': onDocs('ghost', [{ from: 'group:ghosts' }]) }, head: touch('docs-site'), input: { approvedBy: ['csmith'] } });
    expect(report.decision).toBe('needs-approval');
    expect(report.violations).toEqual([expect.objectContaining({ rule: 'approvals', severity: 'warning', ref: 'group:default/ghosts', message: expect.stringMatching(/nobody can approve for group:default\/ghosts/) })]);
  });

  it('membership is read from the base commit: a change cannot add its own approver', async () => {
    const base = { 'p.yaml': onDocs('docs-approvals', [{ from: 'group:cab' }]) };
    const head = { ...touch('docs-site'), 'users.yaml': USERS.replace("memberOf:\n    - data-team", "memberOf:\n    - data-team\n    - cab") };
    expect(head['users.yaml']).toMatch(/- cab/);
    const { report } = await check({ base, head, input: { approvedBy: ['bmartin'] } });
    expect(report.approvals.satisfied).toBe(false);
  });
});

describe('conflicts with other open changes', () => {
  it.each([
    // case, open changes, conflicts
    ['an overlap on an impacted entity', [{ id: '12', title: 'Reports v2', impacted: ['component:default/reports'] }], [{ id: '12', title: 'Reports v2', refs: ['component:default/reports'] }]],
    ['refs are compared normalized', [{ id: '7', impacted: ['Component:Default/Docs-Site', 'component:default/web'] }], [{ id: '7', refs: ['component:default/docs-site'] }]],
    ['no overlap, no conflict', [{ id: '3', impacted: ['component:default/web', 'resource:default/redis'] }], []],
    ['several open changes', [{ id: 'a', impacted: ['component:default/reports'] }, { id: 'b', impacted: [] }, { id: 'c', impacted: ['component:default/docs-site'] }], [{ id: 'a', refs: ['component:default/reports'] }, { id: 'c', refs: ['component:default/docs-site'] }]],
  ] as const)('%s', async (_name, openChanges, conflicts) => {
    const { report } = await check({ head: touch('docs-site'), input: { openChanges: openChanges.map((o) => ({ ...o, impacted: [...o.impacted] })) } });
    expect(report.conflicts).toEqual(conflicts);
    expect(report.decision).toBe('pass'); // reported, never blocking
  });
});
