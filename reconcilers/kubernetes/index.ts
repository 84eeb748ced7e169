export * from './apiFailure.ts';
export * from './client.ts';
export * from './hpa.ts';
export * from './informer.ts';
export * from './judge.ts';
export * from './judgeCluster.ts';
export * from './KubernetesReconciler.ts';
export * from './access.ts';
