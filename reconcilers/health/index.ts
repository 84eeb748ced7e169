export * from './health.ts';
export * from './rules.ts';
export * from './types.ts';
