import { beforeAll, describe, expect, it } from 'vitest';
import type { ChangeReport } from '../../controller/report.ts';
import { entity } from '../helpers/gitRepo.ts';
import { changeWindow, check, policy, touch } from './helpers.ts';

/**
 * The CEL variables, as policies see them. One change: docs-site gets a label,
 * search is added; docs-site impacts reports. Each expression is the rule of
 * an advisory policy: it holds when the policy reports nothing.
 */
const EXPRESSIONS: Array<[expression: string, holds: boolean]> = [
  ["change.title == 'Tune docs'", true],
  ["change.author == 'bmartin'", true],
  ["change.labels == ['docs']", true],
  ["change.files == ['services/docs-site.yaml', 'services/search.yaml']", true],
  ['size(change.entities) == 2', true],
  ["change.entities.all(e, e.kind == 'component')", true],
  ["change.entities.exists(e, e.ref == 'component:default/docs-site' && e.op == 'modified' && e.fields == ['metadata.labels'])", true],
  ["change.entities.exists(e, e.ref == 'component:default/docs-site' && e.before.metadata.name == 'docs-site' && !has(e.before.metadata.labels))", true],
  ["change.entities.exists(e, e.after.metadata.labels.version == 'v2')", true],
  ["change.entities.exists(e, e.op == 'added' && size(e.before) == 0 && e.after.kind == 'Component' && e.file == 'services/search.yaml')", true],
  ['change.entities.exists(e, e.op == \'added\' && e.after.spec.observe[0].http.expectStatus == 200)', true], // whole numbers are CEL ints
  ["change.entities.exists(e, e.owner == 'group:default/data-team' && e.criticality == 'low')", true],
  ["change.entities.exists(e, e.ref == 'component:default/docs-site' && e.dependents == ['component:default/reports'])", true],
  ['change.entities.all(e, e.secrets == [])', true],
  ['impact.count == 1', true],
  ["impact.maxCriticality == 'medium'", true],
  ["impact.owners == ['group:default/data-team']", true],
  ["impact.entities.exists(i, i.ref == 'component:default/reports' && i.kind == 'component' && i.distance == 1 && i.criticality == 'medium' && i.owner == 'group:default/data-team')", true],
  ["now == timestamp('2026-05-01T12:00:00Z')", true],
  ['now.getFullYear() == 2026', true],
  ["windows.exists(w, w.name == 'docs-maintenance' && w.type == 'maintenance' && w.ref == 'changewindow:default/docs-maintenance' && w.start < now && now < w.end && w.entities == ['component:default/docs-site'])", true],
  ["change.author == 'someone else'", false],
  ['impact.count > 1', false],
  ["'emergency' in change.labels", false],
];

let report: ChangeReport;

beforeAll(async () => {
  const base: Record<string, string> = {
    'windows.yaml': changeWindow('docs-maintenance', { type: 'maintenance', start: '2026-05-01T00:00:00Z', end: '2026-05-02T00:00:00Z', appliesTo: "entity.name == 'docs-site'" }),
  };
  EXPRESSIONS.forEach(([expression], i) => (base[`policies/v${i}.yaml`] = policy(`v${i}`, { enforcement: 'advisory', rules: [{ expression, message: expression }] })));
  const search = entity('Component', 'search', {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'data-team',
    criticality: 'low',
    observe: [{ http: { url: 'http://search:8080/healthz', expectStatus: 200 } }],
  });
  ({ report } = await check({
    base,
    head: { ...touch('docs-site'), 'services/search.yaml': search },
    input: { title: 'Tune docs', author: 'bmartin', labels: ['docs'], at: new Date('2026-05-01T12:00:00Z') },
  }));
});

describe('CEL variables', () => {
  it.each(EXPRESSIONS.map(([expression, holds], i) => [expression, holds, i] as const))('%s is %s', (_expression, holds, i) => {
    const found = report.violations.filter((v) => v.policy === `v${i}`);
    expect(found.map((v) => v.message)).toEqual(holds ? [] : [expect.any(String)]);
  });

  it('no rule failed to evaluate', () => {
    expect(report.violations.filter((v) => /could not be evaluated/.test(v.message))).toEqual([]);
  });
});
