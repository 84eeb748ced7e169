export * from './ChangeRecord.ts';
export * from './FileStateStore.ts';
export * from './jsonLines.ts';
export * from './Neo4jStateStore.ts';
export * from './openStateStore.ts';
export * from './StateStore.ts';
