import type { Logger } from 'pino';
import type { RefString } from '../../core/types.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import type { RunbookLink } from '../../state/IncidentRecords.ts';
import type { IncidentTransaction } from '../../state/IncidentRecords.ts';
import type { TopologyCache } from '../correlateTopology.ts';
import type { CauseIndex } from '../probableCause.ts';
import type { EngineDraft } from './EngineDraft.ts';

/** What every step may use besides the draft: the parts given to the engine. */
export interface EngineContext {
  graph: GraphStore;
  topology: TopologyCache;
  /** Change records recorded at or after `sinceMs` (or earlier), indexed by changed entity; read at most once per `apply` call unless an earlier time is asked for. */
  causeIndex: (sinceMs: number) => Promise<CauseIndex>;
  runbooks?: (refs: readonly RefString[]) => RunbookLink[];
  /** How many impacted entities an incident lists (the nearest; `impactedCount` has them all). */
  impactedLimit: number;
  notifyTargets?: () => string[];
  log?: Logger;
}

/**
 * One step of applying an input (see `steps.ts` for the order): reads and
 * writes the draft. Steps of phase `input` (the default) run for every input
 * of a batch, those of phase `commit` once after the batch's last input; the
 * last one returns the transaction to commit.
 */
export interface EngineStep {
  readonly name: string;
  readonly phase?: 'input' | 'commit';
  run(draft: EngineDraft, context: EngineContext): Promise<IncidentTransaction | void> | IncidentTransaction | void;
}
