export * from './assembleTable.ts';
export * from './deriveTable.ts';
export * from './SnapshotTable.ts';
export * from './TableSnapshot.ts';
export * from './SortedKeyMap.ts';
export * from './snapshotFromObjects.ts';
