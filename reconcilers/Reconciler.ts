import type { StepTimer } from './pass.ts';
import type { Binding, CheckKind, Finding, FindingChange } from './types.ts';

/**
 * Options every reconciler's constructor takes (beside its own). Changes are
 * delivered through `onChange`, given at construction, so nothing is wired in
 * after `start`.
 */
export interface ReconcilerOptions {
  /**
   * Called once per change of the current findings of a running reconciler
   * (`start`..`stop`), in the order the changes happen. Never called by
   * `reconcileOnce`. An exception it throws is a bug in the caller and is
   * reported through `onError`, never stops the reconciler.
   */
  onChange?: (change: FindingChange) => void;
  /** Failures the reconciler survives: a callback that threw, a step of a pass that threw. */
  onError?: (error: unknown) => void;
  /** Called with the duration of each step of each pass (for a metrics histogram). */
  stepTimer?: StepTimer;
}

/**
 * Observes live infrastructure for a set of bindings and keeps the current
 * findings: what differs from the catalog or is unhealthy, now. A binding
 * without a problem has no finding. Two ways to use one:
 *
 * - watch: `start(bindings)`, `update(bindings)` whenever the catalog moves,
 *   `findings()` / `onChange` for the current state, `stop()`;
 * - single pass: `reconcileOnce(bindings)` (`cmdb reconcile`), which needs no
 *   `start` and leaves a running watch untouched.
 *
 * Each implementation handles one `check` kind and ignores bindings of other
 * kinds, so a caller may hand every binding to every reconciler.
 */
export interface Reconciler {
  /** The kind of binding this reconciler checks. */
  readonly check: CheckKind;

  /**
   * Begins watching. Resolves once observation is set up (not when the first
   * results are in); findings then appear as they are observed. Starting a
   * started reconciler is a bug (CmdbError code `internal`).
   */
  start(bindings: readonly Binding[]): Promise<void>;

  /**
   * Replaces the watched bindings: new ones are observed, removed ones lose
   * their findings (a `resolved` change, reason `binding-removed`), kept ones
   * (same `key`) keep their state and history; a kept binding whose settings
   * changed is observed with the new ones from its next check. Only while
   * started (else CmdbError code `internal`).
   */
  update(bindings: readonly Binding[]): Promise<void>;

  /** The current findings of the watch, ordered by binding key then field. */
  findings(): Finding[];

  /**
   * Checks every binding once, now, and returns its findings without
   * hysteresis (one failed probe is enough). Independent of the watch.
   */
  reconcileOnce(bindings: readonly Binding[]): Promise<Finding[]>;

  /**
   * Stops watching: no further checks or `onChange` calls once it resolves;
   * in-flight checks are abandoned. `findings()` keeps the last state.
   * Stopping a stopped (or never started) reconciler does nothing.
   */
  stop(): Promise<void>;
}
