import type { ServeFlags } from '../../server/config.ts';
import { startRuntime } from '../../server/Runtime.ts';
import { terminationSignal } from '../../server/shutdown.ts';
import { EXIT } from '../exitCodes.ts';
import type { Output } from '../output.ts';

/** `cmdb serve`: starts the server (server/) and stops it gracefully on SIGINT or SIGTERM. */
export async function runServe(flags: ServeFlags, io: Output): Promise<number> {
  const runtime = await startRuntime({ flags, out: io.out });
  const signal = await terminationSignal();
  runtime.log.info({ signal }, 'signal received');
  const report = await runtime.shutdown();
  // Work left past the deadline is in the journal; nothing still running may keep the process up.
  if (report.timedOut) setTimeout(() => process.exit(EXIT.ok), 200).unref();
  return EXIT.ok;
}
