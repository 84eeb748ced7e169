export * from './Leadership.ts';
export * from './KubernetesLeaseElector.ts';
export * from './SingleReplica.ts';
export * from './LeaseLock.ts';
export * from './timing.ts';
export * from './leaderElectionFromOptions.ts';
