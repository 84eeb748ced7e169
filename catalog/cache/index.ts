export * from './DiskParseCache.ts';
export * from './ParseCache.ts';
export * from './SnapshotTableCache.ts';
export * from './inspect.ts';
export * from './prune.ts';
