import { defineStep } from '../Evaluation.ts';

/**
 * Reads the base snapshot, then the head derived from it (only changed blobs
 * are re-read), and loads the head into the context's graph store.
 */
export const loadStep = defineStep({
  name: 'load',
  reads: [],
  adds: ['base', 'head', 'graph'],
  run: async ({ input }, { reader, graph }) => {
    const base = await reader.read(input.base);
    const head = await reader.readFrom(base, input.head);
    await graph.load(head);
    return { base, head, graph };
  },
});
