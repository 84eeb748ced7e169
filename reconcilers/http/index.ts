export * from './HttpReconciler.ts';
export * from './hysteresis.ts';
export * from './pass.ts';
export * from './probe.ts';
export * from './semaphore.ts';
