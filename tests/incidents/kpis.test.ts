/**
 * The KPIs of incidents/kpis.ts against the fixture of kpiFixture.ts, every
 * expected number derived by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { computeKpis, kpiSeries, MAX_SERIES_POINTS, percentile, prepareKpis } from '../../incidents/kpis.ts';
import { firstCommitAt } from '../../state/ChangeRecord.ts';
import { API, CHANGES, DB, FROM, INCIDENTS, OWNER_OF, SHOP, TEAM_B, TO, WEB } from './kpiFixture.ts';

const H = 3600;
const scope = { systemOf: (r: string) => ({ [API]: SHOP, [DB]: SHOP, [WEB]: 'system:default/storefront' })[r], ownerOf: (r: string) => OWNER_OF[r] };

describe('computeKpis', () => {
  it('computes every KPI of the week by hand', () => {
    const k = computeKpis({ changes: CHANGES, incidents: INCIDENTS, from: FROM, to: TO });
    expect(k).toEqual({
      from: FROM,
      to: TO,
      // #1, #2, #3, branch, #5 (#6 merged before `from`, #7 exactly at `to`).
      changes: 5,
      // INC-1..6 (INC-7 opened after `to`).
      incidents: 6,
      // 5 changes / 7 days.
      deploymentFrequency: 5 / 7,
      // Leads (s): branch 3600, #2 7200 (opened, no first commit), #1 14400, #5 28800, #3 86400.
      // p50 = rank ceil(0.5 * 5) = 3 -> 14400; p90 = rank ceil(0.9 * 5) = 5 -> 86400.
      leadTimeP50: 4 * H,
      leadTimeP90: 24 * H,
      // Failed: #1 (INC-1, INC-5), branch (INC-4, ranked before #1), #5 (INC-3), #3 (INC-7, after the period but caused by a change in it).
      // Not failed: #2 (dismissed on INC-2, whose top undismissed cause is #6).
      failedChanges: 4,
      changeFailureRate: 4 / 5,
      // 1 of 5 succeeded (#2).
      changeSuccessRate: 1 / 5,
      // Recovery (merge -> last resolution of the incidents it caused): branch 11:00 -> INC-4 16:00 = 5 h;
      // #1 03-01 10:00 -> INC-5 03-06 06:00 = 116 h; #3 03-03 00:00 -> INC-7 03-08 03:00 = 123 h; #5: INC-3 unresolved, left out.
      // Median of (18000, 417600, 442800) = rank 2 -> 417600.
      failedChangeRecoveryTime: 116 * H,
      // Restores of the resolved incidents opened in the period: INC-1 2 h, INC-2 1 h, INC-4 4 h, INC-5 6 h, INC-6 0.5 h.
      // Mean 13.5 h / 5 = 2.7 h = 9720 s; median of (1800, 3600, 7200, 14400, 21600) = rank 3 -> 7200.
      meanTimeToRestore: 9720,
      medianTimeToRestore: 2 * H,
      resolvedIncidents: 5,
      // Pull requests in the period: #1, #2, #3, #5 (the branch move has no type); emergency: #2.
      emergencyChangeRatio: 1 / 4,
      // api: INC-1, INC-4, INC-5; web: INC-3; db: INC-2 (ties by ref: component < resource); INC-6 has no root.
      incidentsPerService: [
        { root: API, incidents: 3 },
        { root: WEB, incidents: 1 },
        { root: DB, incidents: 1 },
      ],
    });
  });

  it('filters by system: changes that changed an entity of it, incidents whose root is of it', () => {
    const k = computeKpis({ changes: CHANGES, incidents: INCIDENTS, from: FROM, to: TO, system: SHOP, ...scope });
    expect(k).toMatchObject({
      // #1 (api), #2 (db), branch (api).
      changes: 3,
      // INC-1, INC-2, INC-4, INC-5.
      incidents: 4,
      deploymentFrequency: 3 / 7,
      // Leads 3600, 7200, 14400: p50 rank 2 -> 7200, p90 rank ceil(2.7) = 3 -> 14400.
      leadTimeP50: 2 * H,
      leadTimeP90: 4 * H,
      // #1 and the branch move.
      failedChanges: 2,
      changeFailureRate: 2 / 3,
      // (18000, 417600): median rank 1 -> 18000.
      failedChangeRecoveryTime: 5 * H,
      // 2 h, 1 h, 4 h, 6 h: mean 13 h / 4 = 11700 s, median rank 2 of (1 h, 2 h, 4 h, 6 h) -> 2 h.
      meanTimeToRestore: 11700,
      medianTimeToRestore: 2 * H,
      // #1, #2 are pull requests; #2 is an emergency.
      emergencyChangeRatio: 1 / 2,
      incidentsPerService: [
        { root: API, incidents: 3 },
        { root: DB, incidents: 1 },
      ],
    });
  });

  it('filters by owner', () => {
    const k = computeKpis({ changes: CHANGES, incidents: INCIDENTS, from: FROM, to: TO, owner: TEAM_B, ...scope });
    expect(k).toMatchObject({
      // #2 (db), #3 (web), #5 (web).
      changes: 3,
      // INC-2 (db), INC-3 (web).
      incidents: 2,
      // Leads 7200, 28800, 86400: p50 -> 28800, p90 -> 86400.
      leadTimeP50: 8 * H,
      leadTimeP90: 24 * H,
      // #3 (INC-7), #5 (INC-3).
      failedChanges: 2,
      // Only #3 recovered: 123 h.
      failedChangeRecoveryTime: 123 * H,
      // INC-2 only (INC-3 is unresolved).
      meanTimeToRestore: H,
      medianTimeToRestore: H,
      resolvedIncidents: 1,
      emergencyChangeRatio: 1 / 3,
    });
  });

  it('answers nulls, not zeros, where there is nothing to compute from', () => {
    const k = computeKpis({ changes: CHANGES, incidents: INCIDENTS, from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' });
    expect(k).toMatchObject({
      changes: 0,
      incidents: 0,
      deploymentFrequency: 0,
      leadTimeP50: null,
      leadTimeP90: null,
      changeFailureRate: null,
      changeSuccessRate: null,
      failedChangeRecoveryTime: null,
      meanTimeToRestore: null,
      medianTimeToRestore: null,
      emergencyChangeRatio: null,
      incidentsPerService: [],
    });
  });

  it('does not depend on the order of its input', () => {
    const forward = computeKpis({ changes: CHANGES, incidents: INCIDENTS, from: FROM, to: TO });
    const backward = computeKpis({ changes: [...CHANGES].reverse(), incidents: [...INCIDENTS].reverse(), from: FROM, to: TO });
    expect(backward).toEqual(forward);
  });

  it('counts a change whose only cause was dismissed everywhere as succeeded', () => {
    const dismissedAll = INCIDENTS.map((i) => ({ ...i, probableCauses: i.probableCauses.map((c) => ({ ...c, dismissed: { by: 'x', at: i.openedAt } })) }));
    const k = computeKpis({ changes: CHANGES, incidents: dismissedAll, from: FROM, to: TO });
    expect(k.failedChanges).toBe(0);
    expect(k.changeFailureRate).toBe(0);
    expect(k.failedChangeRecoveryTime).toBeNull();
  });

  it('lists the top N services', () => {
    expect(computeKpis({ changes: CHANGES, incidents: INCIDENTS, from: FROM, to: TO, top: 1 }).incidentsPerService).toEqual([{ root: API, incidents: 3 }]);
  });

  it('refuses a period that is not one', () => {
    expect(() => computeKpis({ changes: [], incidents: [], from: 'yesterday', to: TO })).toThrow('"from" is not a time: yesterday');
    expect(() => computeKpis({ changes: [], incidents: [], from: TO, to: FROM })).toThrow(/"to" .* must be after "from"/);
  });
});

describe('kpiSeries', () => {
  const prepared = prepareKpis({ changes: CHANGES, incidents: INCIDENTS });

  it('buckets by ISO week, clipped to the period', () => {
    // 2026-03-01 is a Sunday: its week started Monday 02-23, so the first bucket is [03-01, 03-02) (#1), the second [03-02, 03-08) (#2, #3, branch, #5).
    expect(kpiSeries(prepared, 'changes', 'week', FROM, TO)).toEqual([
      { from: FROM, to: '2026-03-02T00:00:00.000Z', value: 1 },
      { from: '2026-03-02T00:00:00.000Z', to: TO, value: 4 },
    ]);
    // Second week's leads 3600, 7200, 28800, 86400: p50 rank 2 -> 7200; the first week has #1 only (14400).
    expect(kpiSeries(prepared, 'leadTimeP50', 'week', FROM, TO).map((p) => p.value)).toEqual([4 * H, 2 * H]);
  });

  it('buckets by UTC day', () => {
    // Per day: #1 failed, #2 not, #3 failed, branch failed, #5 failed, then no change (null).
    expect(kpiSeries(prepared, 'changeFailureRate', 'day', FROM, TO).map((p) => p.value)).toEqual([1, 0, 1, 1, 1, null, null]);
    // Incidents opened per day: INC-1, INC-2, none, INC-4, INC-3, INC-5, INC-6.
    const incidents = kpiSeries(prepared, 'incidents', 'day', FROM, TO);
    expect(incidents.map((p) => p.value)).toEqual([1, 1, 0, 1, 1, 1, 1]);
    expect(incidents[6]).toEqual({ from: '2026-03-07T00:00:00.000Z', to: TO, value: 1 });
  });

  it('starts mid-day buckets at `from`', () => {
    expect(kpiSeries(prepared, 'changes', 'day', '2026-03-01T11:00:00Z', '2026-03-02T12:00:00Z')).toEqual([
      // #1 merged at 10:00, before `from`.
      { from: '2026-03-01T11:00:00.000Z', to: '2026-03-02T00:00:00.000Z', value: 0 },
      // #2 at 11:00.
      { from: '2026-03-02T00:00:00.000Z', to: '2026-03-02T12:00:00.000Z', value: 1 },
    ]);
  });

  it('refuses too many points', () => {
    expect(() => kpiSeries(prepared, 'changes', 'day', '2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z')).toThrow(`more than ${MAX_SERIES_POINTS}`);
  });
});

describe('helpers', () => {
  it('takes the nearest-rank percentile', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.9)).toBe(4);
    expect(percentile([5], 0.9)).toBe(5);
  });

  it('takes the earliest committer date as the first commit', () => {
    expect(firstCommitAt([{ committedAt: '2026-03-02T00:00:00Z' }, { committedAt: '2026-03-01T23:00:00+02:00' }])).toEqual({ firstCommitAt: '2026-03-01T23:00:00+02:00' });
    expect(firstCommitAt([])).toEqual({});
  });
});
