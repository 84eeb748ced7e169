import type { Step } from '../Evaluation.ts';

/** Reads the base snapshot, then the head derived from it (only changed blobs are re-read). */
export const loadStep: Step = async (ev, { reader }) => {
  ev.base = await reader.read(ev.input.base);
  ev.head = await reader.readFrom(ev.base, ev.input.head);
};
