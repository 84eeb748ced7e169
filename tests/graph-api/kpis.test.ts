/**
 * `kpis` and `kpiSeries` against a running server (kpiServer.ts) over the
 * fixture of tests/incidents/kpiFixture.ts: the expected numbers are those
 * derived by hand there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, DB, FROM, TO, WEB } from '../incidents/kpiFixture.ts';
import { startKpiServer, type KpiServer } from './kpiServer.ts';

let server: KpiServer;
const H = 3600;
beforeAll(async () => {
  server = await startKpiServer();
});
afterAll(async () => {
  await server?.close();
});
const gql = (query: string, variables?: Record<string, unknown>) => server.gql(query, variables);

const KPIS = `query ($from: String!, $to: String!, $system: String, $owner: String) {
  kpis(from: $from, to: $to, system: $system, owner: $owner) {
    from to changes incidents deploymentFrequency leadTimeP50Seconds leadTimeP90Seconds failedChanges changeFailureRate changeSuccessRate
    failedChangeRecoveryTimeSeconds meanTimeToRestoreSeconds medianTimeToRestoreSeconds resolvedIncidents emergencyChangeRatio
    incidentsPerService { root incidents entity { ref } }
  }
}`;

describe('kpis', () => {
  it('answers the KPIs of the week computed by hand', async () => {
    const r = await gql(KPIS, { from: FROM, to: TO });
    expect(r.errors).toBeUndefined();
    expect(r.data.kpis).toEqual({
      from: FROM,
      to: TO,
      changes: 5,
      incidents: 6,
      deploymentFrequency: 5 / 7,
      leadTimeP50Seconds: 4 * H,
      leadTimeP90Seconds: 24 * H,
      failedChanges: 4,
      changeFailureRate: 0.8,
      changeSuccessRate: 0.2,
      failedChangeRecoveryTimeSeconds: 116 * H,
      meanTimeToRestoreSeconds: 9720,
      medianTimeToRestoreSeconds: 2 * H,
      resolvedIncidents: 5,
      emergencyChangeRatio: 0.25,
      incidentsPerService: [
        { root: API, incidents: 3, entity: { ref: API } },
        { root: WEB, incidents: 1, entity: { ref: WEB } },
        { root: DB, incidents: 1, entity: { ref: DB } },
      ],
    });
  });

  it('filters by system and owner from the served catalog (names resolve like any ref)', async () => {
    const shop = await gql(KPIS, { from: FROM, to: TO, system: 'shop' });
    expect(shop.errors).toBeUndefined();
    expect(shop.data.kpis).toMatchObject({ changes: 3, incidents: 4, leadTimeP50Seconds: 2 * H, failedChanges: 2, failedChangeRecoveryTimeSeconds: 5 * H, meanTimeToRestoreSeconds: 11700, emergencyChangeRatio: 0.5 });
    const teamB = await gql(KPIS, { from: FROM, to: TO, owner: 'group:team-b' });
    expect(teamB.errors).toBeUndefined();
    expect(teamB.data.kpis).toMatchObject({ changes: 3, incidents: 2, leadTimeP50Seconds: 8 * H, failedChanges: 2, failedChangeRecoveryTimeSeconds: 123 * H, meanTimeToRestoreSeconds: H });
  });

  it('charts a metric per week', async () => {
    const r = await gql('{ kpiSeries(metric: CHANGES, bucket: WEEK, from: "2026-03-01T00:00:00Z", to: "2026-03-08T00:00:00Z") { from to value } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.kpiSeries).toEqual([
      { from: FROM, to: '2026-03-02T00:00:00.000Z', value: 1 },
      { from: '2026-03-02T00:00:00.000Z', to: TO, value: 4 },
    ]);
    const mttr = await gql('{ kpiSeries(metric: MEAN_TIME_TO_RESTORE, bucket: DAY, from: "2026-03-01T00:00:00Z", to: "2026-03-04T00:00:00Z") { value } }');
    // INC-1 2 h, INC-2 1 h, nothing opened on 03-03.
    expect(mttr.data.kpiSeries).toEqual([{ value: 2 * H }, { value: H }, { value: null }]);
  });

  it('refuses a bad period with BAD_USER_INPUT', async () => {
    const r = await gql('{ kpis(from: "2026-03-08T00:00:00Z", to: "2026-03-01T00:00:00Z") { changes } }');
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/must be after "from"/);
    const notTime = await gql('{ kpiSeries(metric: CHANGES, bucket: DAY, from: "soon", to: "2026-03-01T00:00:00Z") { value } }');
    expect(notTime.errors?.[0]).toMatchObject({ message: '"from" is not an ISO 8601 time: "soon".', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
