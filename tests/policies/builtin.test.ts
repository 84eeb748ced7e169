import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICY_NAMES } from '../../policies/builtin.ts';
import { entity } from '../helpers/gitRepo.ts';
import { check, fileOf, policy, service, touch, violationsOf, yaml } from './helpers.ts';

const component = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
  entity('Component', name, { type: 'service', lifecycle: 'production', criticality: 'low', ...spec }, metadata);

describe('the built-in policy pack', () => {
  it('has these policies', () => {
    expect(BUILTIN_POLICY_NAMES).toEqual(['owner-required', 'no-removal-with-dependents', 'critical-needs-cab', 'freeze-windows', 'emergency-changes', 'no-secrets']);
  });

  it.each([
    // case, head, policy, violated refs
    ['owner-required: a Component owned by a Component', { 'new.yaml': component('orphan', { owner: 'component:web' }) }, 'owner-required', ['component:default/orphan']],
    ['owner-required: a Resource whose owner is not a reference', { [fileOf('redis')]: service('redis', { spec: { owner: 'group:' } }) }, 'owner-required', ['resource:default/redis']],
    ['owner-required: owned by a User', { 'new.yaml': component('solo', { owner: 'user:bob' }) }, 'owner-required', []],
    ['owner-required: Groups and Users need none', { 'g.yaml': entity('Group', 'guild', { type: 'team', children: [] }) }, 'owner-required', []],
    ['no-removal-with-dependents: removing what others use', { [fileOf('redis')]: undefined }, 'no-removal-with-dependents', ['resource:default/redis']],
    ['no-removal-with-dependents: removing a leaf', { [fileOf('web')]: undefined }, 'no-removal-with-dependents', []],
    ['no-removal-with-dependents: removing it with its dependents', { [fileOf('docs-site')]: undefined, [fileOf('reports')]: undefined }, 'no-removal-with-dependents', []],
    ['no-secrets: clean values', touch('docs-site'), 'no-secrets', []],
  ] as const)('%s', async (_name, head, name, refs) => {
    const { report } = await check({ head: { ...head } });
    const found = violationsOf(report, name);
    expect([...new Set(found.map((v) => v.ref))]).toEqual(refs);
    for (const v of found) expect(v).toMatchObject({ severity: 'error', enforcement: 'hard-mandatory', rule: 'policy' });
    if (refs.length) expect(report.decision).toBe('blocked');
  });

  it('no-removal-with-dependents names who still refers to the entity, at the removed entity', async () => {
    const { report } = await check({ head: { [fileOf('redis')]: undefined } });
    expect(violationsOf(report, 'no-removal-with-dependents')).toEqual([
      expect.objectContaining({ file: fileOf('redis'), line: 4, message: expect.stringMatching(/resource:default\/redis is still referred to by component:default\/cart$/) }),
    ]);
  });

  it('owner-required reports at the entity that lacks it; a missing owner is already a schema error', async () => {
    const { report } = await check({ head: { 'new.yaml': component('orphan', { owner: 'component:web' }) } });
    expect(violationsOf(report, 'owner-required')[0]).toMatchObject({ file: 'new.yaml', line: 4, column: 3, message: expect.stringMatching(/need an owner/) });
    const missing = await check({ head: { 'new.yaml': component('orphan', {}) } });
    expect(missing.report.decision).toBe('blocked');
    expect(missing.report.violations).toContainEqual(expect.objectContaining({ rule: 'schema', file: 'new.yaml' }));
  });

  it('critical-needs-cab: a change reaching a critical entity needs one CAB approval and is high risk', async () => {
    const { report } = await check({ head: touch('web') });
    expect(report.approvals.required).toEqual([]);
    const cart = await check({ head: touch('cart') });
    expect(cart.report.risk).toBe('high');
    expect(cart.report.approvals.required).toEqual([expect.objectContaining({ from: 'group:default/cab', count: 1, reason: expect.stringMatching(/^critical-needs-cab: /) })]);
  });

  it('the CAB group is configurable in cmdb.yaml', async () => {
    const { report } = await check({ base: { 'cmdb.yaml': yaml({ changeManagement: { cabGroup: 'platform' } }) }, head: touch('cart'), input: { approvedBy: ['ipetrov'] } });
    expect(report.approvals.required).toEqual([expect.objectContaining({ from: 'group:default/platform', satisfiedBy: ['ipetrov'] })]);
    expect(report.decision).toBe('pass');
  });

  it('emergency-changes: an emergency change needs the CAB, even outside a freeze', async () => {
    const { report } = await check({ head: touch('docs-site'), input: { labels: ['emergency'] } });
    expect(report.changeType).toBe('emergency');
    expect(report.approvals.required).toEqual([expect.objectContaining({ from: 'group:default/cab', reason: expect.stringMatching(/^emergency-changes: /) })]);
    expect(report.decision).toBe('needs-approval');
  });

  it.each([
    // case, annotation or label, value, what it looks like
    ['a GitHub token in an annotation', 'annotations', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', /metadata\.annotations\.note looks like a GitHub token/],
    ['an AWS access key in a label', 'labels', 'AKIAIOSFODNN7EXAMPLE', /metadata\.labels\.note looks like an AWS access key id/],
    ['a private key', 'annotations', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n', /metadata\.annotations\.note looks like a private key/],
    ['a URL with a password', 'annotations', 'postgres://app:s3cr3tPassw0rd@db.internal:5432/app', /looks like a URL with a password/],
  ] as const)('no-secrets: %s is blocked at the field', async (_name, where, value, message) => {
    const text = component('leaky', { owner: 'sre' }, { [where]: { note: value } });
    const { report } = await check({ head: { 'leaky.yaml': text } });
    expect(report.decision).toBe('blocked');
    const found = violationsOf(report, 'no-secrets');
    expect(found).toEqual([expect.objectContaining({ ref: 'component:default/leaky', file: 'leaky.yaml', message: expect.stringMatching(message) })]);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('note:')) + 1;
    expect(found[0]).toMatchObject({ line, column: lines[line - 1].indexOf('note:') + 1 });
  });

  it('no-secrets: a high-entropy value in a password field', async () => {
    const text = component('leaky', { owner: 'sre' }, { annotations: { 'db-password': 'x7#Kq9!vR2$mLp4Z' } });
    const { report } = await check({ head: { 'leaky.yaml': text } });
    expect(violationsOf(report, 'no-secrets')).toEqual([expect.objectContaining({ message: expect.stringMatching(/metadata\.annotations\.db-password looks like a credential in a field named "db-password"/) })]);
  });

  it.each([
    ['a placeholder', 'changeme'],
    ['a reference to a secret store', 'vault:secret/data/db#password'],
    ['an environment variable', '${DB_PASSWORD}'],
    ['a short value', 'abc'],
  ])('no-secrets: %s in a password field is fine', async (_name, value) => {
    const text = component('careful', { owner: 'sre' }, { annotations: { password: value } });
    const { report } = await check({ head: { 'careful.yaml': text } });
    expect(violationsOf(report, 'no-secrets')).toEqual([]);
  });

  it('a config-repo policy of the same name replaces the built-in', async () => {
    const relaxed = policy('no-secrets', { enforcement: 'advisory', rules: [{ expression: 'change.entities.all(e, size(e.secrets) == 0)', message: 'Looks like a secret' }] });
    const cab = policy('Critical-Needs-CAB', { match: "impact.maxCriticality == 'critical'", approvals: [{ from: 'group:cab', count: 2 }] });
    const leaky = component('leaky', { owner: 'sre' }, { annotations: { note: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' } });
    const { report } = await check({ base: { 'p/secrets.yaml': relaxed, 'p/cab.yaml': cab }, head: { 'leaky.yaml': leaky, ...touch('cart') } });
    expect(violationsOf(report, 'no-secrets')).toEqual([expect.objectContaining({ severity: 'warning', enforcement: 'advisory', message: 'Looks like a secret', ref: 'component:default/leaky' })]);
    expect(report.policies.filter((p) => /critical-needs-cab/i.test(p))).toEqual(['Critical-Needs-CAB']);
    expect(report.approvals.required).toEqual([expect.objectContaining({ from: 'group:default/cab', count: 2 })]);
  });
});
