export * from './csr.ts';
export * from './digraph.ts';
export * from './GraphIndex.ts';
export * from './graphNode.ts';
export * from './GraphStore.ts';
export * from './indexQueries.ts';
export * from './InMemoryGraphStore.ts';
export * from './traversal.ts';
