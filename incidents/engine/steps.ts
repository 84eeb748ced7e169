import type { EngineStep } from './EngineStep.ts';
import { autoResolveStep } from './steps/autoResolve.ts';
import { commandStep } from './steps/command.ts';
import { impactStep } from './steps/impact.ts';
import { openStep } from './steps/open.ts';
import { probableCauseStep } from './steps/probableCause.ts';
import { problemsStep } from './steps/problems.ts';
import { recordStep } from './steps/record.ts';
import { reopenStep } from './steps/reopen.ts';
import { runbooksStep } from './steps/runbooks.ts';
import { reviseStep, transactionStep } from './steps/transaction.ts';

/**
 * The steps of applying one input, in order: a person's command; the
 * signals reported; reopening; opening and correlating what has lasted `for`;
 * then, for incidents opened or re-rooted, impact and severity, probable
 * causes, problems and runbooks; automatic resolution; revisions; and the
 * transaction (with the outbox notifications), always last.
 */
export const ENGINE_STEPS: readonly EngineStep[] = [
  commandStep,
  recordStep,
  reopenStep,
  openStep,
  impactStep,
  probableCauseStep,
  problemsStep,
  runbooksStep,
  autoResolveStep,
  reviseStep,
  transactionStep,
];
