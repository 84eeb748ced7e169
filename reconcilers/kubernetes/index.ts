export * from './apiFailure.ts';
export * from './hpa.ts';
export * from './judge.ts';
