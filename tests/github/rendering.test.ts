import { describe, expect, it } from 'vitest';
import type { Violation } from '../../catalog/types.ts';
import { CONCLUSIONS, planCheckRun } from '../../controller/github/checkRun.ts';
import { COMMENT_MARKER, MAX_COMMENT_CHARS, renderComment } from '../../controller/github/comment.ts';
import { approvalStatus } from '../../controller/github/commitStatus.ts';
import { blastRadiusMermaid } from '../../controller/github/mermaid.ts';
import type { ChangeReport } from '../../controller/report.ts';

const HEAD = 'c'.repeat(40);

function report(over: Partial<ChangeReport> = {}): ChangeReport {
  return {
    base: 'b'.repeat(40),
    head: HEAD,
    changes: [{ ref: 'component:default/cartservice', kind: 'component', op: 'modified', file: 'cart.yaml', fields: ['spec.criticality'] }],
    impact: { entities: [], maxCriticality: 'critical', owners: [] },
    violations: [],
    decision: 'pass',
    risk: 'low',
    riskReasons: [],
    changeType: 'normal',
    standardBy: [],
    windows: { active: [], next: null },
    approvals: { required: [], satisfied: true },
    conflicts: [],
    policies: [],
    ...over,
  };
}

const impacted = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    ref: `component:default/svc-${String(i).padStart(3, '0')}`,
    kind: 'component',
    distance: 1 + (i % 3),
    via: ['component:default/cartservice', ...(i % 3 >= 1 ? ['component:default/svc-000'] : []), ...(i % 3 === 2 ? ['component:default/svc-001'] : [])],
    criticality: (['critical', 'high', 'low'] as const)[i % 3],
  }));

describe('the blast radius diagram', () => {
  it('links each entity from the one it is reached through', () => {
    const text = blastRadiusMermaid(report({ impact: { entities: impacted(2), maxCriticality: 'critical', owners: [] } }));
    expect(text).toContain('flowchart LR');
    expect(text).toContain('n0["component:cartservice (modified)"]:::changed');
    expect(text).toContain('n1["component:svc-000 · critical"]:::critical');
    expect(text).toContain('n0 --> n1');
    expect(text).not.toContain('more');
  });

  it('draws at most maxNodes entities, nearest and most critical first, and counts the rest', () => {
    const text = blastRadiusMermaid(report({ impact: { entities: impacted(300), maxCriticality: 'critical', owners: [] } }), { maxNodes: 40 });
    const nodes = text.split('\n').filter((l) => /^ {2}n\d+\[/.test(l));
    expect(nodes).toHaveLength(40);
    expect(text).toContain('more["… and 261 more"]');
    expect(nodes.slice(1).every((l) => l.includes('critical'))).toBe(true);
    // Every edge joins two drawn nodes.
    for (const edge of text.split('\n').filter((l) => l.includes('-->'))) {
      const [from, to] = edge.trim().split(' --> ');
      expect(text).toContain(`  ${from}[`);
      expect(text).toContain(`  ${to}[`);
    }
  });

  it('escapes what would end a label', () => {
    const r = report({ changes: [{ ref: 'component:default/a"b', kind: 'component', op: 'added', file: 'x.yaml', fields: [] }] });
    expect(blastRadiusMermaid(r)).toContain('component:a#quot;b (added)');
  });
});

describe('the sticky comment', () => {
  it('starts with the hidden marker and ends with the diagram and the head it judged', () => {
    const body = renderComment(report());
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('```mermaid');
    expect(body).toContain(`evaluated head \`${HEAD.slice(0, 12)}\``);
  });

  it('stays within GitHub’s comment size, keeping the diagram', () => {
    const body = renderComment(report({ impact: { entities: impacted(3000), maxCriticality: 'critical', owners: [] } }));
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body).toContain('```mermaid');
    expect(body).toContain('and 2961 more');
  });
});

describe('check run and commit status', () => {
  const violation = (i: number): Violation => ({ rule: 'schema', severity: i % 2 ? 'warning' : 'error', message: `problem ${i}`, file: 'a.yaml', line: i + 1, column: 3 });

  it('maps decisions to conclusions, never neutral or skipped', () => {
    expect(CONCLUSIONS).toEqual({ pass: 'success', 'needs-approval': 'action_required', blocked: 'failure', internal: 'failure' });
  });

  it('puts 50 annotations in the create request and the rest in batches of 50', () => {
    const plan = planCheckRun(report({ decision: 'blocked', violations: [...Array.from({ length: 120 }, (_, i) => violation(i)), { rule: 'x', severity: 'error', message: 'no file' }] }), { summary: 's' });
    expect(plan.create.conclusion).toBe('failure');
    expect(plan.create.output.annotations).toHaveLength(50);
    expect(plan.moreAnnotations.map((b) => b.length)).toEqual([50, 20]);
    expect(plan.create.output.annotations![0]).toEqual({ path: 'a.yaml', start_line: 1, end_line: 1, start_column: 3, end_column: 3, annotation_level: 'failure', message: 'problem 0', title: 'schema' });
    expect(plan.create.output.annotations![1].annotation_level).toBe('warning');
  });

  it('keeps cmdb/approval pending until approvals are given, success on pass, failure when blocked', () => {
    const required = [{ from: 'group:default/cab', count: 2, reason: 'critical', satisfiedBy: ['carol'] }];
    expect(approvalStatus(report({ decision: 'needs-approval', approvals: { required, satisfied: false } }))).toMatchObject({ state: 'pending', context: 'cmdb/approval', description: 'Waiting for approvals: group:default/cab 1 of 2' });
    expect(approvalStatus(report({ decision: 'pass', approvals: { required: [{ ...required[0], satisfiedBy: ['carol', 'erin'] }], satisfied: true } }))).toMatchObject({ state: 'success', description: 'Approved: group:default/cab 2 of 2' });
    expect(approvalStatus(report({ decision: 'blocked', violations: [violation(0)] })).state).toBe('failure');
  });
});
