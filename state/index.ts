export * from './ChangeRecord.ts';
export * from './ChangeStore.ts';
export * from './DeliveryJournal.ts';
export * from './DeliveryScheduler.ts';
export * from './FileChangeStore.ts';
export * from './jsonLines.ts';
export * from './Neo4jChangeStore.ts';
export * from './openChangeStore.ts';
