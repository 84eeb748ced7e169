import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../catalog/config.ts';
import { DEFAULT_CHANGE_MANAGEMENT, parseChangeManagement } from '../../policies/config.ts';
import { check, touch } from './helpers.ts';

/** The changeManagement problems of a cmdb.yaml text, read as the catalog reads it. */
function problemsOf(text: string) {
  const { config: catalog, violations } = parseConfig(text);
  expect(violations).toEqual([]);
  return parseChangeManagement(catalog);
}

const RISK = 'changeManagement:\n  risk:\n';

describe('cmdb.yaml changeManagement problems are at file, line and column', () => {
  it.each([
    // case, cmdb.yaml, message, line, column (of the offending setting's key)
    ['the section is not a mapping', 'include: ["**/*.yaml"]\nchangeManagement: group:cab\n', 'changeManagement must be a mapping (cabGroup, risk)', 2, 1],
    ['cabGroup is not a group', 'changeManagement:\n  cabGroup: component:web\n', 'changeManagement.cabGroup must be a Group reference, e.g. group:cab', 2, 3],
    ['cabGroup is not a string', 'changeManagement:\n  risk: {}\n  cabGroup: [a, b]\n', 'changeManagement.cabGroup must be a Group reference, e.g. group:cab', 3, 3],
    ['risk is not a mapping', 'changeManagement:\n  risk: high\n', 'changeManagement.risk must be a mapping (criticality, blastRadius)', 2, 3],
    ['risk.criticality is not a mapping', `${RISK}    criticality: [high]\n`, 'changeManagement.risk.criticality must map critical, high, medium, low to a risk', 3, 5],
    ['an unknown criticality', `${RISK}    criticality:\n      high: high\n      severe: high\n`, 'changeManagement.risk.criticality.severe is not a criticality (critical, high, medium, low)', 5, 7],
    ['a risk that is not one', `${RISK}    criticality: {critical: extreme}\n`, 'changeManagement.risk.criticality.critical must be one of low, moderate, high', 3, 19],
    ['risk.blastRadius is not a mapping', `${RISK}    blastRadius: 10\n`, 'changeManagement.risk.blastRadius must be a mapping with moderate and high (impacted-entity counts)', 3, 5],
    ['a threshold that is not a count', `${RISK}    blastRadius:\n      moderate: ten\n`, 'changeManagement.risk.blastRadius.moderate must be a whole number of impacted entities', 4, 7],
    ['a negative threshold', `${RISK}    blastRadius:\n      moderate: 1\n      high: -5\n`, 'changeManagement.risk.blastRadius.high must be a whole number of impacted entities', 5, 7],
    ['high below moderate', `${RISK}    blastRadius:\n      moderate: 20\n      high: 5\n`, 'changeManagement.risk.blastRadius.high must not be below risk.blastRadius.moderate', 5, 7],
    ['a default high below the moderate set (at moderate)', `${RISK}    blastRadius:\n      moderate: 80\n`, 'changeManagement.risk.blastRadius.high must not be below risk.blastRadius.moderate', 4, 7],
    ['a key with a slash', `${RISK}    criticality:\n      "a/b": high\n`, 'changeManagement.risk.criticality.a/b is not a criticality (critical, high, medium, low)', 4, 7],
  ] as const)('%s', (_case, text, message, line, column) => {
    const { config, violations } = problemsOf(text);
    expect(violations).toEqual([{ rule: 'config', severity: 'error', message, file: 'cmdb.yaml', line, column }]);
    expect(config.cabGroup).toBe(DEFAULT_CHANGE_MANAGEMENT.cabGroup);
  });

  it('reports every bad setting, each at its own place, and keeps the good ones', () => {
    const text = [
      'changeManagement:',
      '  cabGroup: cab-team',
      '  risk:',
      '    criticality:',
      '      critical: extreme',
      '      high: high',
      '    blastRadius: {moderate: x, high: 3}',
      '',
    ].join('\n');
    const { config, violations } = problemsOf(text);
    expect(config.cabGroup).toBe('group:default/cab-team');
    expect(config.risk.criticality.high).toBe('high');
    expect(config.risk.criticality.critical).toBe('high');
    expect(violations.map((v) => `${v.file}:${v.line}:${v.column}: ${v.message}`)).toEqual([
      'cmdb.yaml:5:7: changeManagement.risk.criticality.critical must be one of low, moderate, high',
      'cmdb.yaml:7:19: changeManagement.risk.blastRadius.moderate must be a whole number of impacted entities',
      'cmdb.yaml:7:32: changeManagement.risk.blastRadius.high must not be below risk.blastRadius.moderate',
    ]);
  });

  it('without positions (a document only), a problem is at 1:1', () => {
    const { violations } = parseChangeManagement({ raw: { changeManagement: { cabGroup: 'component:x' } } });
    expect(violations).toEqual([expect.objectContaining({ file: 'cmdb.yaml', line: 1, column: 1, message: 'changeManagement.cabGroup must be a Group reference, e.g. group:cab' })]);
  });

  it('cmdb check reports them at their place in the head commit', async () => {
    const { report } = await check({ base: {}, head: { 'cmdb.yaml': 'changeManagement:\n  risk:\n    blastRadius:\n      moderate: ten\n', ...touch('docs-site') } });
    expect(report.violations).toEqual(
      expect.arrayContaining([
        { rule: 'config', severity: 'error', file: 'cmdb.yaml', line: 4, column: 7, message: 'changeManagement.risk.blastRadius.moderate must be a whole number of impacted entities' },
      ]),
    );
    expect(report.decision).toBe('blocked');
  });
});
