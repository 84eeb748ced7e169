export * from './DiskParseCache.ts';
export * from './ParseCache.ts';
export * from './SnapshotTableCache.ts';
