import { describe, expect, it } from 'vitest';
import { healthOf, healthOverTime } from '../../reconcilers/health/health.ts';
import type { JsonObject } from '../../reconcilers/types.ts';

function deployment(status: JsonObject, spec: JsonObject = {}, generation = 4): JsonObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', generation }, spec: { replicas: 3, ...spec }, status };
}

const complete: JsonObject = {
  observedGeneration: 4,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  conditions: [
    { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
    { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
  ],
};

describe('Deployment health', () => {
  it('a complete rollout is healthy', () => {
    expect(healthOf(deployment(complete)).status).toBe('healthy');
  });

  it('ProgressDeadlineExceeded is unhealthy, with the controller message', () => {
    const health = healthOf(
      deployment({
        ...complete,
        updatedReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-7d" has timed out progressing.' }],
      }),
    );
    expect(health).toMatchObject({ status: 'unhealthy', reason: 'ProgressDeadlineExceeded' });
    expect(health.message).toContain('has timed out progressing');
  });

  it('a rollout in progress is progressing, not unhealthy', () => {
    const rolling = deployment({ ...complete, replicas: 4, updatedReplicas: 1, availableReplicas: 3, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] });
    expect(healthOf(rolling)).toMatchObject({ status: 'progressing', reason: 'LessUpdated', message: 'Updated: 1/3' });
  });

  it.each([
    [{ replicas: 2 }, 'LessReplicas'],
    [{ replicas: 4 }, 'ExtraPods'],
    [{ availableReplicas: 2 }, 'LessAvailable'],
    [{ readyReplicas: 2 }, 'LessReady'],
  ])('%j: progressing (%s)', (change, reason) => {
    expect(healthOf(deployment({ ...complete, ...change }))).toMatchObject({ status: 'progressing', reason });
  });

  it('a stale ProgressDeadlineExceeded under a newer generation is progress (the controller has not looked yet)', () => {
    const stale = deployment({ ...complete, observedGeneration: 3, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    expect(healthOf(stale)).toMatchObject({ status: 'progressing', reason: 'LatestGenerationNotObserved' });
  });

  it('a paused Deployment is not judged', () => {
    expect(healthOf(deployment({ ...complete, updatedReplicas: 0 }, { paused: true })).status).toBe('healthy');
  });

  it('spec.replicas defaults to 1', () => {
    const one = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', generation: 1 }, spec: {}, status: { ...complete, observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 } };
    expect(healthOf(one).status).toBe('healthy');
  });
});

function statefulSet(status: JsonObject, spec: JsonObject = {}): JsonObject {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', generation: 2 }, spec: { replicas: 3, ...spec }, status };
}

const stsDone: JsonObject = { observedGeneration: 2, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: 'db-1', updateRevision: 'db-1' };

describe('StatefulSet health', () => {
  it('all replicas current at one revision: healthy', () => {
    expect(healthOf(statefulSet(stsDone)).status).toBe('healthy');
  });

  it('a rolling update between revisions is progressing', () => {
    expect(healthOf(statefulSet({ ...stsDone, updateRevision: 'db-2' }))).toMatchObject({ status: 'progressing', reason: 'RevisionMismatch' });
  });

  it('fewer ready replicas is progressing', () => {
    expect(healthOf(statefulSet({ ...stsDone, readyReplicas: 1 }))).toMatchObject({ status: 'progressing', reason: 'LessReady', message: 'Ready: 1/3' });
  });

  it('a partitioned rollout is judged on the pods above the partition', () => {
    const spec = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } };
    expect(healthOf(statefulSet({ ...stsDone, updatedReplicas: 0, updateRevision: 'db-2' }, spec))).toMatchObject({ status: 'progressing', reason: 'PartitionRollout' });
    expect(healthOf(statefulSet({ ...stsDone, updatedReplicas: 1, updateRevision: 'db-2' }, spec))).toMatchObject({ status: 'healthy', reason: 'PartitionRolledOut' });
  });

  it('OnDelete is not judged', () => {
    expect(healthOf(statefulSet({ ...stsDone, updateRevision: 'db-2' }, { updateStrategy: { type: 'OnDelete' } })).status).toBe('healthy');
  });

  it('progressing past the deadline since first seen so becomes unhealthy', () => {
    const rolling = statefulSet({ ...stsDone, readyReplicas: 2 });
    const first = healthOverTime(rolling, {}, 1_000_000, 60_000);
    expect(first.health.status).toBe('progressing');
    expect(first.clock.since).toBe(1_000_000);
    expect(healthOverTime(rolling, first.clock, 1_050_000, 60_000).health.status).toBe('progressing');
    const late = healthOverTime(rolling, first.clock, 1_061_000, 60_000);
    expect(late.health).toMatchObject({ status: 'unhealthy', reason: 'ProgressDeadlineExceeded' });
    expect(late.health.message).toContain('LessReady');
    expect(healthOverTime(statefulSet(stsDone), late.clock, 1_062_000, 60_000)).toEqual({ health: expect.objectContaining({ status: 'healthy' }), clock: {} });
  });

  it('Deployments keep their controller deadline: no clock-based escalation', () => {
    const rolling = deployment({ ...complete, updatedReplicas: 1 });
    expect(healthOverTime(rolling, { since: 0 }, 10_000_000, 60_000).health.status).toBe('progressing');
  });
});

function daemonSet(status: JsonObject, spec: JsonObject = {}): JsonObject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', generation: 5 }, spec, status };
}
const dsDone: JsonObject = { observedGeneration: 5, desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4, numberReady: 4 };

describe('DaemonSet health', () => {
  it('every node updated and available: healthy', () => {
    expect(healthOf(daemonSet(dsDone)).status).toBe('healthy');
  });

  it.each([
    [{ currentNumberScheduled: 3 }, 'LessCurrent'],
    [{ updatedNumberScheduled: 2 }, 'LessUpdated'],
    [{ numberAvailable: 1 }, 'LessAvailable'],
    [{ numberReady: 3 }, 'LessReady'],
    [{ observedGeneration: 4 }, 'LatestGenerationNotObserved'],
  ])('%j: progressing (%s)', (change, reason) => {
    expect(healthOf(daemonSet({ ...dsDone, ...change }))).toMatchObject({ status: 'progressing', reason });
  });

  it('no observed generation yet is progressing', () => {
    const { observedGeneration: _, ...rest } = dsDone;
    expect(healthOf(daemonSet(rest))).toMatchObject({ status: 'progressing', reason: 'NoObservedGeneration' });
  });
});

describe('generic rules', () => {
  const custom = (conditions: JsonObject[], extra: JsonObject = {}): JsonObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', generation: 2, ...extra },
    status: { observedGeneration: 2, conditions },
  });

  it('Ready=False is progressing, not unhealthy', () => {
    expect(healthOf(custom([{ type: 'Ready', status: 'False', reason: 'Waiting', message: 'waiting for a volume' }]))).toMatchObject({
      status: 'progressing',
      reason: 'NotReady',
      message: 'Widget w is not ready: waiting for a volume',
    });
  });

  it('Stalled=True is unhealthy; Reconciling=True is progressing', () => {
    expect(healthOf(custom([{ type: 'Stalled', status: 'True', message: 'bad config' }])).status).toBe('unhealthy');
    expect(healthOf(custom([{ type: 'Reconciling', status: 'True' }])).status).toBe('progressing');
  });

  it('an observedGeneration lag is progressing', () => {
    const lagging = custom([{ type: 'Ready', status: 'True' }]);
    (lagging.status as JsonObject).observedGeneration = 1;
    expect(healthOf(lagging)).toMatchObject({ status: 'progressing', reason: 'LatestGenerationNotObserved' });
  });

  it('an object being deleted is progressing', () => {
    expect(healthOf(custom([], { deletionTimestamp: '2026-12-02T10:00:00Z' }))).toMatchObject({ status: 'progressing', reason: 'Terminating' });
  });

  it('no conditions, or Ready=True: healthy', () => {
    expect(healthOf(custom([])).status).toBe('healthy');
    expect(healthOf(custom([{ type: 'Ready', status: 'True' }])).status).toBe('healthy');
    expect(healthOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }).status).toBe('healthy');
  });
});
