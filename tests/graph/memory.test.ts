import { describe } from 'vitest';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { graphStoreContract, type GraphStoreFactory } from './contract.ts';

const implementations: { name: string; factory: GraphStoreFactory }[] = [
  { name: 'memory', factory: async () => new InMemoryGraphStore({}) },
];

describe.each(implementations)('GraphStore contract: $name', ({ name, factory }) => {
  graphStoreContract(name, factory);
});
