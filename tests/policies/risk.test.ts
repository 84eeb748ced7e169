import { describe, expect, it } from 'vitest';
import { fileOf, check, policy, service, touch, yaml } from './helpers.ts';

const critical = (name: string, criticality: string) => ({ [fileOf(name)]: service(name, { spec: { criticality } }) });
const cmdbYaml = (changeManagement: unknown) => ({ 'cmdb.yaml': yaml({ changeManagement }) });

describe('risk', () => {
  it.each([
    // case, base additions, head, risk, reason
    ['a low-criticality change with a small blast radius is low', {}, touch('docs-site'), 'low', undefined],
    ['a high entity changed is moderate (default: high -> moderate)', {}, critical('docs-site', 'high'), 'moderate', /a high entity is changed or impacted \(moderate\)/],
    ['a critical entity impacted is high', {}, touch('cart'), 'high', /a critical entity is changed or impacted \(high\)/],
    ['cmdb.yaml maps criticality to risk', cmdbYaml({ risk: { criticality: { high: 'high' } } }), critical('docs-site', 'high'), 'high', /a high entity/],
    ['cmdb.yaml can lower it', cmdbYaml({ risk: { criticality: { critical: 'low', high: 'low' } } }), critical('docs-site', 'critical'), 'high', /policy critical-needs-cab \(high\)/],
    ['a blast radius at the moderate threshold is moderate', cmdbYaml({ risk: { blastRadius: { moderate: 1, high: 5 } } }), touch('docs-site'), 'moderate', /blast radius of 1 entities \(moderate from 1, high from 5\)/],
    ['a blast radius at the high threshold is high', cmdbYaml({ risk: { blastRadius: { moderate: 1, high: 1 } } }), touch('docs-site'), 'high', /blast radius of 1 entities/],
    ['a matched policy raises it', { 'p.yaml': policy('docs-risk', { match: "change.entities.exists(e, e.kind == 'component')", risk: 'moderate' }) }, touch('docs-site'), 'moderate', /policy docs-risk \(moderate\)/],
    ['the highest factor wins', { 'p.yaml': policy('docs-risk', { risk: 'moderate' }), ...cmdbYaml({ risk: { blastRadius: { moderate: 1, high: 1 } } }) }, touch('docs-site'), 'high', /blast radius/],
    ['a policy that does not match does not raise it', { 'p.yaml': policy('never', { match: 'false', risk: 'high' }) }, touch('docs-site'), 'low', undefined],
  ] as const)('%s', async (_name, base, head, risk, reason) => {
    const { report } = await check({ base: { ...base }, head: { ...head } });
    expect(report.risk).toBe(risk);
    if (reason) expect(report.riskReasons.join('\n')).toMatch(reason);
    else expect(report.riskReasons).toEqual([]);
  });

  it('the default blast radius thresholds are 10 (moderate) and 50 (high)', async () => {
    const { DEFAULT_CHANGE_MANAGEMENT } = await import('../../policies/config.ts');
    expect(DEFAULT_CHANGE_MANAGEMENT.risk).toEqual({ criticality: { critical: 'high', high: 'moderate', medium: 'low', low: 'low' }, blastRadius: { moderate: 10, high: 50 } });
  });

  it('a bad changeManagement section in cmdb.yaml is an error and the defaults stand in', async () => {
    const { report } = await check({ base: {}, head: { ...cmdbYaml({ cabGroup: 'component:x', risk: { blastRadius: { moderate: 'ten' } } }), ...touch('docs-site') } });
    expect(report.violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'config', severity: 'error', file: 'cmdb.yaml', message: 'changeManagement.cabGroup must be a Group reference, e.g. group:cab' }),
        expect.objectContaining({ rule: 'config', file: 'cmdb.yaml', message: 'changeManagement.risk.blastRadius.moderate must be a whole number of impacted entities' }),
      ]),
    );
    expect(report.decision).toBe('blocked');
  });
});
