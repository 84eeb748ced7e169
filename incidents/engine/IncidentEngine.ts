import type { Logger } from 'pino';
import { CmdbError } from '../../core/errors.ts';
import type { EventBus } from '../../core/EventBus.ts';
import type { IncidentChangeData } from '../../core/events.ts';
import type { RefString } from '../../core/types.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import type { ChangeQuery, ChangeRecord } from '../../state/ChangeRecord.ts';
import type { IncidentTransaction, RunbookLink } from '../../state/IncidentRecords.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { TopologyCache } from '../correlateTopology.ts';
import { CauseIndex } from '../probableCause.ts';
import type { EngineInput, IncidentSettings } from '../types.ts';
import { EngineDraft } from './EngineDraft.ts';
import type { EngineContext, EngineStep } from './EngineStep.ts';
import { nextDue } from './nextDue.ts';
import { ENGINE_STEPS } from './steps.ts';
import { DEFAULT_IMPACTED_LIMIT } from './steps/impact.ts';

export interface IncidentEngineOptions {
  /** The incident state (opened already). The engine is its one writer. */
  store: IncidentStore;
  /** The served graph: impact, neighbours, entities. */
  graph: GraphStore;
  /** Change records, for probable causes (state/ChangeStore.ts). */
  changes: { changes(query?: ChangeQuery): Promise<ChangeRecord[]> };
  /** The `incidents` settings of the served cmdb.yaml, read for every input. */
  settings: () => IncidentSettings;
  /** Runbooks of entities. */
  runbooks?: (refs: readonly RefString[]) => RunbookLink[];
  /** How many impacted entities an incident lists, the nearest first (default 500); `impactedCount` is the full count and severity comes from all of them. */
  impactedLimit?: number;
  /** Receives `incidentChanged` and `problemChanged` after each commit. */
  events?: EventBus;
  /** Notification targets (`webhook:<name>`, `github-issue`): one outbox notification per target for each incident change, in the same transaction. */
  notifyTargets?: () => string[];
  log?: Logger;
}

/**
 * The incident engine (issue 11): turns signals, ticks and people's commands
 * into incidents and problems. Consecutive inputs other than commands form a
 * batch: the input steps of `steps.ts` run for each of them in order over one
 * draft (each at its own time, exactly as if applied one by one), then the
 * commit steps write the batch as ONE store transaction, and the events are
 * published. A command is a batch of its own (it may be refused). It never
 * reads a clock (times come from the inputs) and holds nothing the store does
 * not, besides a cache of topology: an engine built on the same store
 * continues exactly where another stopped.
 */
export class IncidentEngine {
  private readonly options: IncidentEngineOptions;
  private readonly topology: TopologyCache;
  private readonly inputSteps: readonly EngineStep[];
  private readonly commitSteps: readonly EngineStep[];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: IncidentEngineOptions, steps: readonly EngineStep[] = ENGINE_STEPS) {
    const limit = options.impactedLimit;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
      throw new CmdbError(`incident engine option impactedLimit: ${JSON.stringify(limit)} is not a whole number of entities (0 or more)`, { code: 'usage' });
    this.options = options;
    this.topology = new TopologyCache(options.graph);
    this.inputSteps = steps.filter((s) => s.phase !== 'commit');
    this.commitSteps = steps.filter((s) => s.phase === 'commit');
  }

  /**
   * Applies inputs in order (calls are serialised), each batch of them (see
   * the class) as one store transaction. Returns the incident changes
   * published, one per incident and batch. An input that fails (a command
   * naming an unknown incident: CmdbError `usage`; a time that is not ISO
   * 8601) throws: the inputs before it are kept, it and those after it are
   * not applied. The final state is the same however inputs are split
   * between calls; only the number of revisions (and so of notifications)
   * differs.
   */
  apply(inputs: readonly EngineInput[]): Promise<IncidentChangeData[]> {
    const run = this.queue.then(() => this.applyAll(inputs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The earliest time (ISO) at which a `tick` would change something, or undefined. */
  nextDue(): string | undefined {
    return nextDue(this.options.store, this.options.settings());
  }

  private async applyAll(inputs: readonly EngineInput[]): Promise<IncidentChangeData[]> {
    const published: IncidentChangeData[] = [];
    if (inputs.length === 0) return published;
    const commit = await this.topology.refresh();
    let fetched: { sinceMs: number; index: Promise<CauseIndex> } | undefined;
    const context: EngineContext = {
      graph: this.options.graph,
      topology: this.topology,
      causeIndex: (sinceMs) => {
        if (!fetched || sinceMs < fetched.sinceMs) fetched = { sinceMs, index: this.options.changes.changes({ recordedSince: new Date(sinceMs) }).then((records) => new CauseIndex(records)) };
        return fetched.index;
      },
      runbooks: this.options.runbooks,
      impactedLimit: this.options.impactedLimit ?? DEFAULT_IMPACTED_LIMIT,
      notifyTargets: this.options.notifyTargets,
      log: this.options.log,
    };
    for (const batch of batches(inputs)) published.push(...(await this.applyBatch(batch, context, commit)));
    return published;
  }

  /** One batch, one transaction. When input i fails, the draft holds part of it: the inputs before it are applied again on a fresh draft and committed, then the error is thrown. */
  private async applyBatch(batch: readonly EngineInput[], context: EngineContext, commit: string | undefined): Promise<IncidentChangeData[]> {
    const draft = new EngineDraft({ store: this.options.store, commit });
    for (let i = 0; i < batch.length; i++) {
      try {
        await this.applyInput(draft, batch[i], context);
      } catch (err) {
        if (i > 0) await this.applyBatch(batch.slice(0, i), context, commit);
        throw err;
      }
    }
    return this.commitDraft(draft, context);
  }

  private async applyInput(draft: EngineDraft, input: EngineInput, context: EngineContext): Promise<void> {
    const at = input.type === 'command' ? input.command.at : input.at;
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)))
      throw new CmdbError(`incident engine input ${input.type}: time ${JSON.stringify(at)} is not an ISO 8601 date`, { code: 'usage' });
    draft.begin(input, new Date(at).toISOString(), this.options.settings());
    for (const step of this.inputSteps) await step.run(draft, context);
    draft.settle();
  }

  private async commitDraft(draft: EngineDraft, context: EngineContext): Promise<IncidentChangeData[]> {
    const store = this.options.store;
    let tx: IncidentTransaction | void = undefined;
    for (const step of this.commitSteps) tx = await step.run(draft, context);
    if (!tx || isEmpty(tx)) return [];
    await store.commit(tx);
    const changes: IncidentChangeData[] = [];
    for (const incident of tx.incidents ?? []) {
      changes.push({ id: incident.id, change: draft.incidentChanges.get(incident.id) ?? 'updated', state: incident.state, title: incident.title, severity: incident.severity, root: incident.root, revision: incident.revision });
    }
    for (const data of changes) this.options.events?.publish('incidentChanged', data);
    for (const problem of tx.problems ?? [])
      this.options.events?.publish('problemChanged', { id: problem.id, change: draft.problemChanges.get(problem.id) ?? 'updated', state: problem.state, incidents: problem.incidents.length, revision: problem.revision });
    if (changes.length) this.options.log?.debug({ input: draft.input.type, at: draft.at, incidents: changes.map((c) => `${c.id} ${c.change}`) }, 'incidents changed');
    return changes;
  }
}

/** Runs of consecutive inputs other than commands, and each command alone. */
export function batches(inputs: readonly EngineInput[]): EngineInput[][] {
  const out: EngineInput[][] = [];
  for (const input of inputs) {
    const last = out.at(-1);
    if (input.type !== 'command' && last && last[0].type !== 'command') last.push(input);
    else out.push([input]);
  }
  return out;
}

const isEmpty = (tx: IncidentTransaction): boolean => Object.values(tx).every((v) => !Array.isArray(v) || v.length === 0);
