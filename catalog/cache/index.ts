export * from './DiskParseCache.ts';
export * from './ParseCache.ts';
