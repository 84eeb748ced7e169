import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { ServerConfig } from './config.ts';

/**
 * The process's logger, on stderr: JSON lines (for log collectors), or
 * pino-pretty's coloured lines for a human at a terminal. pino-pretty runs as a
 * stream in this thread (no transport worker), so it works from the bundle.
 */
export function createLogger(log: ServerConfig['log']): Logger {
  const options = { name: 'cmdb', level: log.level };
  if (log.format === 'json') return pino(options, pino.destination(2));
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => NodeJS.WritableStream;
  return pino(options, pretty({ destination: 2, colorize: process.stderr.isTTY === true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' }));
}
