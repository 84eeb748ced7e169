import { describe, expect, it } from 'vitest';
import type { FindingChangeData, ReportedFinding } from '../../core/events.ts';
import { fingerprintOf, signalsOfFindingChange, signalsOfFindingChanges, syncOfFindings } from '../../incidents/signals.ts';
import { InMemoryFindingStore } from '../../state/InMemoryFindingStore.ts';

const AT = '2026-12-03T01:00:00.000Z';
const deployment = (cluster: string, name: string) => ({ cluster, apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name });

const drift: ReportedFinding = { ref: 'component:default/api', check: 'kubernetes', finding: 'drifted', message: 'spec.replicas is 1, the catalog expects 3', target: deployment('cluster:default/eu', 'api'), field: 'spec.replicas', expected: 3, actual: 1 };
const unhealthy: ReportedFinding = { ref: 'component:default/web', check: 'http', finding: 'unhealthy', message: 'GET https://web.example.com/healthz answered 503', target: { url: 'https://web.example.com/healthz' } };
const unreachable = (ref: string, name: string): ReportedFinding => ({ ref, check: 'kubernetes', finding: 'unknown', message: 'cluster:default/eu does not answer: connect ECONNREFUSED', target: deployment('cluster:default/eu', name) });
/** The finding a cluster the reconciler cannot reach has of its own (reconcilers/kubernetes/judgeCluster.ts). */
const clusterUnknown: ReportedFinding = { ref: 'cluster:default/eu', check: 'kubernetes', finding: 'unknown', message: 'no credentials for cluster:default/eu', target: { cluster: 'cluster:default/eu', apiVersion: '', kind: '', name: '' } };

/** The changes a real finding store reports, and its findings after them. */
async function applied(store: InMemoryFindingStore, ...changes: FindingChangeData[]) {
  return (await store.apply(changes)).flatMap((c) => signalsOfFindingChange(c, AT, store.current()));
}

describe('fingerprints', () => {
  it('are source|ref|kind, with the field or alert name when there is one', () => {
    expect(fingerprintOf({ ref: 'component:default/api', source: 'kubernetes', kind: 'drifted', field: 'spec.replicas' })).toBe('kubernetes|component:default/api|drifted|spec.replicas');
    expect(fingerprintOf({ ref: 'component:default/web', source: 'http', kind: 'unhealthy' })).toBe('http|component:default/web|unhealthy');
    expect(fingerprintOf({ ref: 'component:default/api', source: 'alertmanager', kind: 'alert', field: 'HighLatency', alert: '1a30ba71cca2921f' })).toBe('alertmanager|component:default/api|alert|HighLatency');
  });

  it("keep Alertmanager's fingerprint for an alert that maps to no entity, so two such alerts of one name stay two", () => {
    const a = fingerprintOf({ source: 'alertmanager', kind: 'alert', field: 'DiskFull', alert: '1a30ba71cca2921f' });
    const b = fingerprintOf({ source: 'alertmanager', kind: 'alert', field: 'DiskFull', alert: '93d0a6e5c2b17f44' });
    expect(a).toBe('alertmanager|-|alert|DiskFull|1a30ba71cca2921f');
    expect(b).not.toBe(a);
  });

  it('encode | and % inside a part, so distinct parts never make one fingerprint', () => {
    const piped = fingerprintOf({ source: 'alertmanager', kind: 'alert', field: 'a|b', alert: 'c' });
    const split = fingerprintOf({ source: 'alertmanager', kind: 'alert', field: 'a', alert: 'b|c' });
    expect(piped).toBe('alertmanager|-|alert|a%7Cb|c');
    expect(split).toBe('alertmanager|-|alert|a|b%7Cc');
    expect(fingerprintOf({ source: 'alertmanager', kind: 'alert', field: '100%7C', alert: 'x' })).toBe('alertmanager|-|alert|100%257C|x');
  });
});

describe('signals of finding changes', () => {
  it('an opened finding fires its signal, a resolved one clears it', async () => {
    const store = new InMemoryFindingStore();
    const fired = await applied(store, { change: 'opened', key: 'k1', finding: drift }, { change: 'opened', key: 'k2', finding: unhealthy });
    expect(fired).toEqual([
      { type: 'fire', at: AT, signal: { fingerprint: 'kubernetes|component:default/api|drifted|spec.replicas', ref: 'component:default/api', source: 'kubernetes', kind: 'drifted', field: 'spec.replicas', message: drift.message } },
      { type: 'fire', at: AT, signal: { fingerprint: 'http|component:default/web|unhealthy', ref: 'component:default/web', source: 'http', kind: 'unhealthy', message: unhealthy.message } },
    ]);
    expect(await applied(store, { change: 'resolved', key: 'k2', previous: unhealthy, reason: 'fixed' })).toEqual([{ type: 'clear', fingerprint: 'http|component:default/web|unhealthy', at: AT }]);
  });

  it('a changed finding fires its signal again with the new message', async () => {
    const store = new InMemoryFindingStore();
    await applied(store, { change: 'opened', key: 'k1', finding: drift });
    const moved = { ...drift, message: 'spec.replicas is 0, the catalog expects 3', actual: 0 };
    const [report] = await applied(store, { change: 'opened', key: 'k1', finding: moved });
    expect(report).toMatchObject({ type: 'fire', signal: { fingerprint: 'kubernetes|component:default/api|drifted|spec.replicas', message: moved.message } });
  });

  it("a Kubernetes unknown is one signal on its Cluster entity, never on the workload, cleared when the cluster's last unknown finding resolves", async () => {
    const store = new InMemoryFindingStore();
    const fired = await applied(
      store,
      { change: 'opened', key: 'u-api', finding: unreachable('component:default/api', 'api') },
      { change: 'opened', key: 'u-web', finding: unreachable('component:default/web', 'web') },
      { change: 'opened', key: 'u-eu', finding: clusterUnknown },
    );
    expect(fired.map((r) => r.type === 'fire' && [r.signal.fingerprint, r.signal.ref, r.signal.kind])).toEqual(Array(3).fill(['kubernetes|cluster:default/eu|unknown', 'cluster:default/eu', 'unknown']));
    expect(await applied(store, { change: 'resolved', key: 'u-api', previous: unreachable('component:default/api', 'api'), reason: 'fixed' })).toEqual([]);
    expect(await applied(store, { change: 'resolved', key: 'u-eu', previous: clusterUnknown, reason: 'fixed' })).toEqual([]);
    expect(await applied(store, { change: 'resolved', key: 'u-web', previous: unreachable('component:default/web', 'web'), reason: 'binding-removed' })).toEqual([{ type: 'clear', fingerprint: 'kubernetes|cluster:default/eu|unknown', at: AT }]);
  });

  it('one kind on two targets of one entity is one signal, cleared when both resolve', async () => {
    const store = new InMemoryFindingStore();
    const down = (name: string): ReportedFinding => ({ ref: 'component:default/api', check: 'kubernetes', finding: 'unhealthy', message: `${name} has no ready replica`, target: deployment('cluster:default/eu', name) });
    await applied(store, { change: 'opened', key: 'a', finding: down('api') }, { change: 'opened', key: 'b', finding: down('api-canary') });
    expect(await applied(store, { change: 'resolved', key: 'a', previous: down('api'), reason: 'fixed' })).toEqual([]);
    expect(await applied(store, { change: 'resolved', key: 'b', previous: down('api-canary'), reason: 'fixed' })).toEqual([{ type: 'clear', fingerprint: 'kubernetes|component:default/api|unhealthy', at: AT }]);
  });

  it('the changes of one apply (a burst) clear a shared fingerprint once, when the last finding holding it goes', async () => {
    const store = new InMemoryFindingStore();
    const burst = ['api', 'web', 'db'].map((name): FindingChangeData => ({ change: 'opened', key: `u-${name}`, finding: unreachable(`component:default/${name}`, name) }));
    const opened = signalsOfFindingChanges(await store.apply(burst), AT, store.current());
    expect(opened.map((r) => r.type)).toEqual(['fire', 'fire', 'fire']);
    const partly = burst.slice(0, 2).map((c): FindingChangeData => ({ change: 'resolved', key: c.key, previous: (c as { finding: ReportedFinding }).finding, reason: 'fixed' }));
    expect(signalsOfFindingChanges(await store.apply(partly), AT, store.current())).toEqual([]);
    const all = [...partly, { change: 'resolved', key: 'u-db', previous: unreachable('component:default/db', 'db'), reason: 'fixed' } as FindingChangeData];
    await store.apply(burst);
    expect(signalsOfFindingChanges(await store.apply(all), AT, store.current())).toEqual([{ type: 'clear', fingerprint: 'kubernetes|cluster:default/eu|unknown', at: AT }]);
  });

  it('without the remaining findings a resolve clears its fingerprint', () => {
    expect(signalsOfFindingChange({ change: 'resolved', key: 'u', previous: clusterUnknown, reason: 'fixed' }, AT)).toEqual([{ type: 'clear', fingerprint: 'kubernetes|cluster:default/eu|unknown', at: AT }]);
  });

  it('an HTTP unknown keeps its entity, with kind unknown', () => {
    const finding: ReportedFinding = { ...unhealthy, finding: 'unknown', message: 'DNS lookup of web.example.com failed' };
    expect(signalsOfFindingChange({ change: 'opened', key: 'h', finding }, AT)).toEqual([
      { type: 'fire', at: AT, signal: { fingerprint: 'http|component:default/web|unknown', ref: 'component:default/web', source: 'http', kind: 'unknown', message: finding.message } },
    ]);
  });
});

describe('a sync of the current findings', () => {
  it('states every signal, one sync per reconciler source (an empty one too), deduplicated by fingerprint', async () => {
    const store = new InMemoryFindingStore();
    await store.apply([
      { change: 'opened', key: 'k1', finding: drift },
      { change: 'opened', key: 'u-api', finding: unreachable('component:default/api', 'api') },
      { change: 'opened', key: 'u-eu', finding: clusterUnknown },
    ]);
    const inputs = syncOfFindings(store.current(), AT);
    expect(inputs).toEqual([
      {
        type: 'sync',
        source: 'kubernetes',
        at: AT,
        signals: [
          { fingerprint: 'kubernetes|component:default/api|drifted|spec.replicas', ref: 'component:default/api', source: 'kubernetes', kind: 'drifted', field: 'spec.replicas', message: drift.message },
          { fingerprint: 'kubernetes|cluster:default/eu|unknown', ref: 'cluster:default/eu', source: 'kubernetes', kind: 'unknown', message: unreachable('', '').message },
        ],
      },
      { type: 'sync', source: 'http', at: AT, signals: [] },
    ]);
    await store.apply([{ change: 'opened', key: 'h', finding: unhealthy }]);
    expect(syncOfFindings(store.current(), AT)[1]).toMatchObject({ source: 'http', signals: [{ fingerprint: 'http|component:default/web|unhealthy' }] });
  });
});
