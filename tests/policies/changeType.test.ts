import { describe, expect, it } from 'vitest';
import { fieldInScope } from '../../policies/changeType.ts';
import { check, fileOf, policy, service, touch } from './helpers.ts';
import { entity } from '../helpers/gitRepo.ts';

/** Label changes to components are standard changes. */
const LABELS = policy('label-changes', {
  standard: true,
  match: "change.entities.all(e, e.op == 'modified')",
  scope: { kinds: ['Component'], fields: ['metadata.labels.*'] },
});
/** New websites are standard changes. */
const NEW_SITES = policy('new-sites', {
  standard: true,
  match: "change.entities.all(e, e.op == 'added')",
  rules: [{ expression: "change.entities.all(e, e.after.spec.type == 'website')", message: 'only websites' }],
  scope: { kinds: ['component'] },
});
/** Every change needs its owners, unless pre-approved. */
const OWNERS = policy('owners-approve', { approvals: [{ from: 'owners-of-changed' }] });

const site = (name: string, type = 'website') => ({ [`services/${name}.yaml`]: entity('Component', name, { type, lifecycle: 'experimental', owner: 'data-team', criticality: 'low' }) });
const base = { 'p/labels.yaml': LABELS, 'p/sites.yaml': NEW_SITES, 'p/owners.yaml': OWNERS };

describe('change type', () => {
  it.each([
    // case, head, labels, change type, standardBy
    ['only label changes in scope: standard', touch('docs-site'), [], 'standard', ['label-changes']],
    ['a field outside the scope: normal', { [fileOf('docs-site')]: service('docs-site', { spec: { lifecycle: 'deprecated' } }) }, [], 'normal', []],
    ['in scope but the risk is not low: normal', touch('cart'), [], 'normal', []],
    ['a resource is outside the kinds: normal', touch('redis'), [], 'normal', []],
    ['an added entity in a kinds-only scope: standard', site('status-page'), [], 'standard', ['new-sites']],
    ['a standard policy whose rule fails does not pre-approve: normal', site('api-gw', 'service'), [], 'normal', []],
    ['the emergency label: emergency', touch('docs-site'), ['emergency'], 'emergency', []],
    ['a mix of standard changes under two policies that each match only part: normal', { ...touch('docs-site'), ...site('status-page') }, [], 'normal', []],
  ] as const)('%s', async (_name, head, labels, changeType, standardBy) => {
    const { report } = await check({ base, head: { ...head }, input: { labels: [...labels] } });
    expect(report.changeType).toBe(changeType);
    expect(report.standardBy).toEqual(standardBy);
    if (changeType === 'standard') {
      expect(report.approvals).toEqual({ required: [], satisfied: true }); // pre-approved
      expect(report.decision).toBe('pass');
    } else if (changeType === 'normal' && _name.includes('outside the scope')) {
      expect(report.approvals.required).toEqual([expect.objectContaining({ from: 'group:default/data-team', count: 1 })]);
      expect(report.decision).toBe('needs-approval');
    }
  });

  it('without standard policies every change is normal', async () => {
    const { report } = await check({ head: touch('docs-site') });
    expect(report.changeType).toBe('normal');
  });

  it.each([
    ['metadata.labels', ['metadata.labels.*'], true],
    ['metadata.labels.version', ['metadata.labels.*'], true],
    ['metadata.labels.version', ['metadata.labels'], true],
    ['spec.observe', ['spec.observe.*'], true],
    ['spec.observe', ['spec.observe.**'], true],
    ['spec.observe.0.http.url', ['spec.observe.**'], true],
    ['spec.observe.0.http.url', ['spec.observe.*'], false],
    ['spec.owner', ['metadata.labels.*'], false],
    ['spec.ownerx', ['spec.owner'], false],
  ] as const)('field %s in scope %j: %s', (field, patterns, expected) => {
    expect(fieldInScope(field, patterns)).toBe(expected);
  });
});
