import { defineStep } from '../Evaluation.ts';

/**
 * Reads the base snapshot, then the head derived from it (only changed blobs
 * are re-read), and loads the head into the context's graph store. The diff
 * between them is asked of git first, so it runs beside the base's read.
 */
export const loadStep = defineStep({
  name: 'load',
  reads: [],
  adds: ['base', 'head', 'graph'],
  // Asked first, answered while the base is read: git's answer is kept (DiffMemo), and a spawn
  // from the process that holds the base's 100,000 parse results costs tens of milliseconds more.
  prefetch: (input, { reader }) => void reader.git.diffFiles(input.base, input.head).catch(() => undefined),
  run: async ({ input }, { reader, graph }) => {
    const base = await reader.read(input.base);
    const head = await reader.readFrom(base, input.head);
    await graph.load(head);
    return { base, head, graph };
  },
});
