import { describe, expect, it } from 'vitest';
import { changeWindow, check, touch, violationsOf } from './helpers.ts';

const FREEZE = changeWindow('holiday-freeze', {
  type: 'freeze',
  description: 'Holiday peak',
  start: '2026-12-20T00:00:00Z',
  end: '2027-01-04T00:00:00Z',
  appliesTo: "entity.criticality in ['critical', 'high']",
});

const MAINTENANCE = [
  changeWindow('sunday', { type: 'maintenance', start: '2026-03-08T02:00:00Z', end: '2026-03-08T06:00:00Z' }),
  changeWindow('next-sunday', { type: 'maintenance', start: '2026-03-15T02:00:00Z', end: '2026-03-15T06:00:00Z' }),
  changeWindow('shop-only', { type: 'maintenance', start: '2026-03-07T02:00:00Z', end: '2026-03-07T06:00:00Z', appliesTo: "entity.owner == 'group:default/shop-team'" }),
].join('---\n');

const base = { 'policies/windows.yaml': `${FREEZE}---\n${MAINTENANCE}` };
const at = (iso: string) => new Date(iso);

describe('freeze windows', () => {
  it.each([
    // case, entity touched, at, labels, approvedBy, decision, change type, active windows
    ['a normal change touching a frozen entity is blocked', 'cart', '2026-12-24T10:00:00Z', [], [], 'blocked', 'normal', ['holiday-freeze']],
    ['the freeze reaches entities through the impact', 'redis', '2026-12-24T10:00:00Z', [], [], 'blocked', 'normal', ['holiday-freeze']],
    ['an entity the freeze does not apply to may change', 'docs-site', '2026-12-24T10:00:00Z', [], [], 'pass', 'normal', []],
    ['before the freeze starts', 'cart', '2026-12-19T23:59:59Z', [], ['csmith'], 'pass', 'normal', []],
    ['the end is exclusive', 'cart', '2027-01-04T00:00:00Z', [], ['csmith'], 'pass', 'normal', []],
    ['an emergency change is allowed but needs the CAB', 'cart', '2026-12-24T10:00:00Z', ['emergency'], [], 'needs-approval', 'emergency', ['holiday-freeze']],
    ['an emergency change the CAB approved passes', 'cart', '2026-12-24T10:00:00Z', ['emergency'], ['csmith'], 'pass', 'emergency', ['holiday-freeze']],
    ['the author cannot approve their own emergency change', 'cart', '2026-12-24T10:00:00Z', ['emergency'], ['csmith'], 'needs-approval', 'emergency', ['holiday-freeze']],
  ] as const)('%s', async (name, entity, when, labels, approvedBy, decision, changeType, active) => {
    const author = name.startsWith('the author') ? 'csmith' : undefined;
    const { report } = await check({ base, head: touch(entity), input: { at: at(when), labels: [...labels], approvedBy: [...approvedBy], author } });
    expect(report.decision).toBe(decision);
    expect(report.changeType).toBe(changeType);
    expect(report.windows.active.map((w) => w.name)).toEqual(active);
    const freeze = violationsOf(report, 'freeze-windows');
    expect(freeze.length > 0).toBe(decision === 'blocked');
    if (changeType === 'emergency') expect(report.approvals.required.map((r) => r.from)).toContain('group:default/cab');
  });

  it('reports the active freeze with the entities it applies to, and points the violation at it', async () => {
    const { report } = await check({ base, head: touch('redis'), input: { at: at('2026-12-24T10:00:00Z') } });
    expect(report.windows.active).toEqual([
      {
        name: 'holiday-freeze',
        ref: 'changewindow:default/holiday-freeze',
        type: 'freeze',
        start: '2026-12-20T00:00:00Z',
        end: '2027-01-04T00:00:00Z',
        description: 'Holiday peak',
        entities: ['component:default/cart', 'component:default/checkout'],
      },
    ]);
    expect(violationsOf(report, 'freeze-windows')).toEqual([
      expect.objectContaining({
        severity: 'error',
        enforcement: 'hard-mandatory',
        ref: 'changewindow:default/holiday-freeze',
        file: 'policies/windows.yaml',
        message: expect.stringMatching(/freeze is in force.*holiday-freeze \(until 2027-01-04T00:00:00Z\) applies to component:default\/cart, component:default\/checkout$/),
      }),
    ]);
  });

  it('a freeze without appliesTo applies to every change', async () => {
    const all = changeWindow('total-freeze', { type: 'freeze', start: '2026-06-01T00:00:00Z', end: '2026-06-02T00:00:00Z' });
    const { report } = await check({ base: { 'w.yaml': all }, head: touch('docs-site'), input: { at: at('2026-06-01T12:00:00Z') } });
    expect(report.decision).toBe('blocked');
    expect(report.windows.active[0].entities).toEqual(['component:default/docs-site', 'component:default/reports']);
  });
});

describe('maintenance windows', () => {
  it.each([
    // case, entity, at, active, next
    ['the next window that applies is reported', 'docs-site', '2026-03-01T00:00:00Z', [], 'sunday'],
    ['a window limited to other owners is skipped', 'docs-site', '2026-03-07T03:00:00Z', [], 'sunday'],
    ['a window limited to the owner applies', 'cart', '2026-03-01T00:00:00Z', [], 'shop-only'],
    ['during a window it is active, and the one after is next', 'docs-site', '2026-03-08T03:00:00Z', ['sunday'], 'next-sunday'],
    ['after the last window there is none', 'docs-site', '2026-04-01T00:00:00Z', [], null],
  ] as const)('%s', async (_name, entity, when, active, next) => {
    const { report } = await check({ base, head: touch(entity), input: { at: at(when), approvedBy: ['csmith'] } });
    expect(report.windows.active.map((w) => w.name)).toEqual(active);
    expect(report.windows.next?.name ?? null).toBe(next);
    expect(report.decision).toBe('pass'); // maintenance windows never block
  });
});
