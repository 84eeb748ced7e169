import type { Logger } from 'pino';
import type { DrainReport } from './GitHubPart.ts';

/** What a graceful shutdown did. */
export interface ShutdownReport {
  /** The GitHub controller's drain, when it runs. */
  deliveries?: DrainReport;
  /** Something was still running at the deadline (the process should exit anyway). */
  timedOut: boolean;
}

/** Resolves with the first SIGINT or SIGTERM. */
export function terminationSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** One log line saying what was drained and what is left in the journal for the next start. */
export function logShutdown(log: Logger, report: ShutdownReport, deadlineMs: number): void {
  const d = report.deliveries;
  const fields = d ? { drained: d.drained, left: d.left, deadlineMs } : { deadlineMs };
  if (d && d.left.length > 0)
    log.warn(fields, `stopped: ${d.drained.length} delivery(ies) drained, ${d.left.length} left in the journal for the next start${d.timedOut ? ' (deadline reached)' : ''}`);
  else log.info(fields, `stopped: ${d ? `${d.drained.length} delivery(ies) drained, ` : ''}nothing left in flight`);
}
