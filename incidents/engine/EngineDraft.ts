import type { IncidentChangeData } from '../../core/events.ts';
import type { Incident, Problem, Signal, TimelineEntry } from '../../state/IncidentRecords.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import type { EngineInput, IncidentSettings } from '../types.ts';

type Change = IncidentChangeData['change'];
/** Which change an incident's event reports when several happen in one input (the first listed wins). */
const CHANGE_ORDER: readonly Change[] = ['opened', 'reopened', 'resolved', 'acknowledged', 'updated'];

/**
 * The effects of a batch of engine inputs, built up by the steps over the
 * store's state and committed whole by the last step. The input steps run
 * once per input (`begin` sets the input, its time and settings, and clears
 * what is per input; `settle` ends it); the commit steps once per batch.
 * Records are copied when a step first touches them (`incidentForWrite`,
 * `putSignal`), so the store is never mutated and a batch that fails leaves
 * nothing behind.
 */
export class EngineDraft {
  input!: EngineInput;
  at!: string;
  atMs!: number;
  settings!: IncidentSettings;
  readonly store: IncidentStore;
  /** The served graph's commit when the input was applied. */
  readonly commit: string | undefined;
  readonly signals = new Map<string, Signal>();
  /** Signals forgotten by an input of the batch (cleared and part of no incident): removed from the store on commit. */
  readonly forgotten = new Set<string>();
  readonly incidents = new Map<string, Incident>();
  readonly problems = new Map<string, Problem>();
  /** The change each touched incident's event reports. */
  readonly incidentChanges = new Map<string, Change>();
  readonly problemChanges = new Map<string, 'opened' | 'updated' | 'resolved'>();
  /** Signals that fired in this input after being cleared or unknown (a new firing). */
  readonly fired = new Set<string>();
  /** Signals this input cleared, with their state before (they may still have lasted `for`). */
  readonly clearedNow = new Map<string, Signal>();
  /** Incidents opened by this input. */
  readonly opened = new Set<string>();
  /** Problems opened by this input. */
  readonly openedProblems = new Set<string>();
  /** Incidents opened, reopened or given a new root by this input (impact, severity and problems are recomputed). */
  readonly rootChanged = new Set<string>();
  /** Incidents whose root or correlated entities this input changed (probable causes and runbooks are recomputed); includes rootChanged. */
  readonly topologyChanged = new Set<string>();
  /** Command ids applied. */
  readonly commands: string[] = [];
  private nextIncident: number;
  private nextProblem: number;

  constructor(options: { store: IncidentStore; commit: string | undefined }) {
    this.store = options.store;
    this.commit = options.commit;
    this.nextIncident = options.store.nextNumber('incident');
    this.nextProblem = options.store.nextNumber('problem');
  }

  /** Starts the next input of the batch (at: its time as an ISO string). */
  begin(input: EngineInput, at: string, settings: IncidentSettings): void {
    this.input = input;
    this.at = at;
    this.atMs = Date.parse(at);
    this.settings = settings;
    for (const set of [this.fired, this.clearedNow, this.opened, this.openedProblems, this.rootChanged, this.topologyChanged]) set.clear();
  }

  /** Ends an input: a signal it left cleared and part of no incident is forgotten, as if its transaction had been committed. */
  settle(): void {
    for (const [fp, s] of this.signals) {
      if (s.state !== 'cleared' || s.incident) continue;
      this.signals.delete(fp);
      this.forgotten.add(fp);
    }
  }

  signal(fingerprint: string): Signal | undefined {
    if (this.forgotten.has(fingerprint)) return undefined;
    return this.signals.get(fingerprint) ?? this.store.signal(fingerprint);
  }

  /** Every signal as this input leaves it (in no particular order). */
  allSignals(): Signal[] {
    const all = new Map(this.store.signals().map((s) => [s.fingerprint, s]));
    for (const fp of this.forgotten) all.delete(fp);
    for (const [fp, s] of this.signals) all.set(fp, s);
    return [...all.values()];
  }

  putSignal(signal: Signal): void {
    this.forgotten.delete(signal.fingerprint);
    this.signals.set(signal.fingerprint, signal);
  }

  incident(id: string): Incident | undefined {
    return this.incidents.get(id) ?? this.store.incident(id);
  }

  /** A copy of the incident that this input writes (with `change` as the event it reports, by precedence). */
  incidentForWrite(id: string, change: Change = 'updated'): Incident {
    let incident = this.incidents.get(id);
    if (!incident) {
      const kept = this.store.incident(id);
      if (!kept) throw new Error(`incident ${id} is not in the store`);
      incident = copyIncident(kept);
      this.incidents.set(id, incident);
    }
    this.noteChange(id, change);
    return incident;
  }

  noteChange(id: string, change: Change): void {
    const before = this.incidentChanges.get(id);
    if (before === undefined || CHANGE_ORDER.indexOf(change) < CHANGE_ORDER.indexOf(before)) this.incidentChanges.set(id, change);
  }

  /** A new incident, numbered after the store's and this input's. */
  newIncident(fields: Omit<Incident, 'id' | 'revision' | 'timeline'> & { timeline?: TimelineEntry[] }): Incident {
    const incident: Incident = { id: `INC-${this.nextIncident++}`, revision: 0, timeline: [], ...fields };
    this.incidents.set(incident.id, incident);
    this.opened.add(incident.id);
    this.rootChanged.add(incident.id);
    this.topologyChanged.add(incident.id);
    this.incidentChanges.set(incident.id, 'opened');
    return incident;
  }

  /** Unresolved incidents as this input leaves them, oldest first. */
  unresolved(): Incident[] {
    const all = new Map(this.store.incidents({ state: 'unresolved' }).map((i) => [i.id, i]));
    for (const [id, i] of this.incidents) {
      if (i.state === 'resolved') all.delete(id);
      else all.set(id, i);
    }
    return [...all.values()].sort((a, b) => (a.openedAt !== b.openedAt ? (a.openedAt < b.openedAt ? -1 : 1) : numberOf(a.id) - numberOf(b.id)));
  }

  /** Every incident as this input leaves it. */
  allIncidents(): Incident[] {
    const all = new Map(this.store.incidents({ state: 'all' }).map((i) => [i.id, i]));
    for (const [id, i] of this.incidents) all.set(id, i);
    return [...all.values()];
  }

  problem(id: string): Problem | undefined {
    return this.problems.get(id) ?? this.store.problem(id);
  }

  /** Every problem as this input leaves it, newest first (as the store lists them). */
  allProblems(): Problem[] {
    const all = new Map(this.store.problems().map((p) => [p.id, p]));
    for (const [id, p] of this.problems) all.set(id, p);
    return [...all.values()].sort((a, b) => (a.openedAt !== b.openedAt ? (a.openedAt < b.openedAt ? 1 : -1) : a.id < b.id ? 1 : -1));
  }

  problemForWrite(id: string, change: 'updated' | 'resolved' = 'updated'): Problem {
    let problem = this.problems.get(id);
    if (!problem) {
      const kept = this.store.problem(id);
      if (!kept) throw new Error(`problem ${id} is not in the store`);
      problem = structuredClone(kept);
      this.problems.set(id, problem);
    }
    if (this.problemChanges.get(id) !== 'opened') this.problemChanges.set(id, change === 'resolved' || this.problemChanges.get(id) === 'resolved' ? 'resolved' : 'updated');
    return problem;
  }

  newProblem(fields: Omit<Problem, 'id' | 'revision'>): Problem {
    const problem: Problem = { id: `PRB-${this.nextProblem++}`, revision: 0, ...fields };
    this.problems.set(problem.id, problem);
    this.problemChanges.set(problem.id, 'opened');
    this.openedProblems.add(problem.id);
    return problem;
  }

  /** A timeline entry at this input's time. */
  entry(type: string, message: string, by = 'cmdb', note?: string): TimelineEntry {
    return { at: this.at, type, by, message, ...(note !== undefined ? { note } : {}) };
  }
}

/**
 * A copy to write: its lists are copied (steps push to them); their items and
 * `impacted` are shared with the stored record, so steps replace them and
 * never change them in place.
 */
const copyIncident = (i: Incident): Incident => ({ ...i, signals: [...i.signals], correlated: [...i.correlated], timeline: [...i.timeline], probableCauses: [...i.probableCauses], runbooks: [...i.runbooks] });

export const numberOf = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? 0);
