/**
 * ReconcilerPart before any commit is served (the first sync failed): leading
 * then must not judge or resolve anything stored; the first catalogMoved with
 * a served commit starts the reconcilers. A real HttpReconciler probes a real
 * endpoint on 127.0.0.1.
 */
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../core/InMemoryEventBus.ts';
import { HttpReconciler } from '../../reconcilers/http/HttpReconciler.ts';
import type { Binding } from '../../reconcilers/types.ts';
import { SingleReplica } from '../../server/leader/SingleReplica.ts';
import { LeadershipPart } from '../../server/LeadershipPart.ts';
import { ServerMetrics } from '../../server/metrics.ts';
import { ReconcilerPart } from '../../server/ReconcilerPart.ts';
import { InMemoryFindingStore } from '../../state/InMemoryFindingStore.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { Endpoint } from './support.ts';

const parts: Array<{ leadership: LeadershipPart; part: ReconcilerPart; endpoint: Endpoint }> = [];
afterEach(async () => {
  for (const p of parts.splice(0)) {
    await p.part.stop();
    await p.leadership.stop();
    await p.endpoint.close();
  }
});

it('waits for a served commit: nothing stored is resolved while none is served; catalogMoved starts it', async () => {
  const endpoint = await new Endpoint().listen();
  const url = endpoint.url;
  const log = pino({ level: 'silent' });
  const metrics = new ServerMetrics();
  const events = new InMemoryEventBus({});
  const store = new InMemoryFindingStore();
  await store.open();
  const key = `http component:default/api ${url} unhealthy`;
  await store.apply([{ change: 'opened', key, finding: { ref: 'component:default/api', check: 'http', finding: 'unhealthy', target: { url }, message: 'was failing' } }]);

  let served: Binding[] | undefined;
  const leadership = new LeadershipPart({ create: (onEvent) => new SingleReplica({ identity: 'test', onEvent }), log, metrics });
  const part = new ReconcilerPart({ factories: { http: (o) => new HttpReconciler(o) }, bindings: () => served, store, events, leadership, metrics, log });
  parts.push({ leadership, part, endpoint });
  leadership.start();
  await waitFor('leading', () => leadership.isLeader());
  await new Promise((r) => setTimeout(r, 200));
  expect(store.current().map((f) => f.key), 'no commit served: the stored finding stays').toEqual([key]);
  expect(endpoint.probes, 'nothing probed before a commit is served').toBe(0);

  // The endpoint answers fine now; the first served commit keeps its binding, which is checked once.
  endpoint.status = 200;
  served = [{ check: 'http', key: `http component:default/api ${url}`, ref: 'component:default/api', target: { url }, method: 'GET', expectStatus: 200, headers: {}, timeoutMs: 2000, intervalMs: 60_000, failureThreshold: 1, successThreshold: 1 }];
  events.publish('catalogMoved', { commit: 'c1', mode: 'rebuild', seconds: 0, entities: 1, violations: 0 });
  await waitFor('the stored finding resolved as fixed', () => store.current().length === 0);
});

it('keeps a stored finding of a binding whose cluster cannot be reached: an unknown judges nothing', async () => {
  const { KubernetesReconciler } = await import('../../reconcilers/kubernetes/KubernetesReconciler.ts');
  const endpoint = await new Endpoint().listen();
  const log = pino({ level: 'silent' });
  const metrics = new ServerMetrics();
  const events = new InMemoryEventBus({});
  const store = new InMemoryFindingStore();
  await store.open();
  const target = { cluster: 'cluster:default/prod', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cart' };
  const bindingKey = `kubernetes component:default/cart ${target.cluster} apps/v1 Deployment shop/cart`;
  const key = `${bindingKey} spec.replicas`;
  await store.apply([{ change: 'opened', key, finding: { ref: 'component:default/cart', check: 'kubernetes', finding: 'drifted', target, field: 'spec.replicas', expected: 2, actual: 3, message: 'replicas differ' } }]);
  const binding: Binding = { check: 'kubernetes', key: bindingKey, ref: 'component:default/cart', target, expect: { spec: { replicas: 2 } }, ignore: [] };

  const leadership = new LeadershipPart({ create: (onEvent) => new SingleReplica({ identity: 'test', onEvent }), log, metrics });
  const part = new ReconcilerPart({
    factories: { kubernetes: (o) => new KubernetesReconciler({ ...o, access: () => ({ problem: 'the API server does not answer' }) }) },
    bindings: () => [binding],
    store,
    events,
    leadership,
    metrics,
    log,
  });
  parts.push({ leadership, part, endpoint });
  const changes: string[] = [];
  events.subscribe('findingChanged', (e) => void changes.push(`${e.data.change} ${e.data.key}`));
  leadership.start();
  await waitFor('the cluster reported unknown', () => changes.some((c) => c.startsWith('opened kubernetes-cluster cluster:default/prod')));
  await new Promise((r) => setTimeout(r, 300));
  expect(store.current().map((f) => f.key)).toContain(key);
  expect(changes.filter((c) => c.startsWith('resolved')), 'nothing resolved while the cluster is unreachable').toEqual([]);
});
