import type { Count, HealthRule } from './types.ts';

/**
 * The health rules, as data. They follow kstatus (kubernetes-sigs/cli-utils)
 * and Argo CD's gitops-engine, which both follow `kubectl rollout status`:
 * a rollout in progress is `progressing`, never `unhealthy`; only a state
 * the controller itself declares failed (a Deployment's progress deadline, a
 * `Stalled` condition) is `unhealthy`. docs/reconcilers.md lists them.
 */

/** Rules for every kind, tried before the kind's own. */
export const GENERIC_RULES: readonly HealthRule[] = [
  { when: 'present', path: 'metadata.deletionTimestamp', then: { status: 'progressing', reason: 'Terminating', message: '{kind} {name} is being deleted' } },
  {
    when: 'fewer',
    have: { path: 'status.observedGeneration', default: 0 },
    than: { path: 'metadata.generation', default: 0 },
    requires: 'status.observedGeneration',
    then: { status: 'progressing', reason: 'LatestGenerationNotObserved', message: '{kind} generation is {than}, the controller has seen {have}' },
  },
  { when: 'condition', type: 'Stalled', status: 'True', then: { status: 'unhealthy', reason: 'Stalled', message: '{kind} {name} is stalled: {message}' } },
  { when: 'condition', type: 'Reconciling', status: 'True', then: { status: 'progressing', reason: 'Reconciling', message: '{kind} {name} is reconciling: {message}' } },
];

const specReplicas: Count = { path: 'spec.replicas', default: 1 };
const count = (path: string): Count => ({ path, default: 0 });

/** Rules of the kinds known by group/kind (`apps/Deployment`); the fallback is `READY_CONDITION_RULES`. */
export const KIND_RULES: Readonly<Record<string, readonly HealthRule[]>> = {
  'apps/Deployment': [
    { when: 'equals', path: 'spec.paused', value: true, then: { status: 'healthy', reason: 'Paused', message: 'Deployment {name} is paused' } },
    {
      when: 'condition',
      type: 'Progressing',
      reason: 'ProgressDeadlineExceeded',
      then: { status: 'unhealthy', reason: 'ProgressDeadlineExceeded', message: 'Deployment {name} exceeded its progress deadline: {message}' },
    },
    { when: 'fewer', have: count('status.replicas'), than: specReplicas, then: { status: 'progressing', reason: 'LessReplicas', message: 'Replicas: {have}/{than}' } },
    { when: 'fewer', have: count('status.updatedReplicas'), than: specReplicas, then: { status: 'progressing', reason: 'LessUpdated', message: 'Updated: {have}/{than}' } },
    { when: 'fewer', have: specReplicas, than: count('status.replicas'), then: { status: 'progressing', reason: 'ExtraPods', message: 'Old replicas pending termination: {than} for {have} wanted' } },
    { when: 'fewer', have: count('status.availableReplicas'), than: count('status.updatedReplicas'), then: { status: 'progressing', reason: 'LessAvailable', message: 'Available: {have}/{than}' } },
    { when: 'fewer', have: count('status.readyReplicas'), than: specReplicas, then: { status: 'progressing', reason: 'LessReady', message: 'Ready: {have}/{than}' } },
  ],
  'apps/StatefulSet': [
    { when: 'equals', path: 'spec.updateStrategy.type', value: 'OnDelete', then: { status: 'healthy', reason: 'OnDelete', message: 'StatefulSet {name} updates on delete' } },
    { when: 'absent', path: 'status.observedGeneration', then: { status: 'progressing', reason: 'NoObservedGeneration', message: 'StatefulSet {name} not yet seen by its controller' } },
    { when: 'fewer', have: count('status.replicas'), than: specReplicas, then: { status: 'progressing', reason: 'LessReplicas', message: 'Replicas: {have}/{than}' } },
    { when: 'fewer', have: count('status.readyReplicas'), than: specReplicas, then: { status: 'progressing', reason: 'LessReady', message: 'Ready: {have}/{than}' } },
    { when: 'fewer', have: specReplicas, than: count('status.replicas'), then: { status: 'progressing', reason: 'ExtraPods', message: 'Pods pending termination: {than} for {have} wanted' } },
    {
      when: 'fewer',
      have: count('status.updatedReplicas'),
      than: specReplicas,
      minus: 'spec.updateStrategy.rollingUpdate.partition',
      requires: 'spec.updateStrategy.rollingUpdate.partition',
      then: { status: 'progressing', reason: 'PartitionRollout', message: 'Partitioned rollout: {have}/{than} updated' },
    },
    { when: 'present', path: 'spec.updateStrategy.rollingUpdate.partition', then: { status: 'healthy', reason: 'PartitionRolledOut', message: 'Partitioned rollout complete' } },
    { when: 'fewer', have: count('status.currentReplicas'), than: specReplicas, then: { status: 'progressing', reason: 'LessCurrent', message: 'Current: {have}/{than}' } },
    { when: 'differ', a: 'status.currentRevision', b: 'status.updateRevision', then: { status: 'progressing', reason: 'RevisionMismatch', message: 'Rolling update from {a} to {b}' } },
  ],
  'apps/DaemonSet': [
    { when: 'absent', path: 'status.observedGeneration', then: { status: 'progressing', reason: 'NoObservedGeneration', message: 'DaemonSet {name} not yet seen by its controller' } },
    { when: 'equals', path: 'spec.updateStrategy.type', value: 'OnDelete', then: { status: 'healthy', reason: 'OnDelete', message: 'DaemonSet {name} updates on delete' } },
    { when: 'absent', path: 'status.desiredNumberScheduled', then: { status: 'progressing', reason: 'NoDesiredNumber', message: 'DaemonSet {name} has no desired number yet' } },
    ...(
      [
        ['status.currentNumberScheduled', 'LessCurrent', 'Scheduled'],
        ['status.updatedNumberScheduled', 'LessUpdated', 'Updated'],
        ['status.numberAvailable', 'LessAvailable', 'Available'],
        ['status.numberReady', 'LessReady', 'Ready'],
      ] as const
    ).map(
      ([path, reason, label]): HealthRule => ({
        when: 'fewer',
        have: count(path),
        than: count('status.desiredNumberScheduled'),
        then: { status: 'progressing', reason, message: `${label}: {have}/{than}` },
      }),
    ),
  ],
};

/** Kinds with no rules of their own: a `Ready` condition that is not True is progress, not failure. */
export const READY_CONDITION_RULES: readonly HealthRule[] = [
  { when: 'condition', type: 'Ready', status: 'False', then: { status: 'progressing', reason: 'NotReady', message: '{kind} {name} is not ready: {message}' } },
  { when: 'condition', type: 'Ready', status: 'Unknown', then: { status: 'progressing', reason: 'NotReady', message: '{kind} {name} readiness unknown: {message}' } },
];

/**
 * Kinds whose controllers set no progress deadline: a rollout still
 * progressing this long after it was first seen progressing is reported
 * `unhealthy` (`ProgressDeadlineExceeded`), as a Deployment's controller
 * does after `spec.progressDeadlineSeconds` (default 600 s).
 */
export const WATCHED_PROGRESS_KINDS: readonly string[] = ['apps/StatefulSet', 'apps/DaemonSet'];
export const DEFAULT_PROGRESS_DEADLINE_MS = 600_000;
