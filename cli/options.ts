import { InvalidArgumentError, Option } from 'commander';
import { CmdbError, isCmdbError, type CmdbErrorCode } from '../core/errors.ts';

/** `--format` with the formats a command supports; the first is the default. */
export const formatOption = (formats: string[]): Option =>
  new Option('--format <format>', 'output format').choices(formats).default(formats[0]);

/** A commander argument parser: a positive integer (commander names the option in its error). */
export const parsePositiveInteger = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

/** RFC 3339 date-time with a time zone (`2026-12-24T10:00:00Z`, `2026-12-24T11:00:00+01:00`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The time an option (`--at`, `--since`) names; a usage error naming the option when it is not RFC 3339. */
export function parseTime(text: string | undefined, option: string): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text.replace(' ', 'T'));
  if (!RFC3339.test(text) || Number.isNaN(date.getTime()))
    throw new CmdbError(`${option} "${text}" is not an RFC 3339 date-time with a time zone, e.g. 2026-12-24T10:00:00Z`, { code: 'usage' });
  return date;
}

/** Errors that are about what the user typed: the option is named in front of them. */
const ABOUT_THE_VALUE: ReadonlySet<CmdbErrorCode> = new Set(['usage', 'repo-not-found', 'ref-not-found', 'entity-not-found']);

/**
 * Runs `work` on the value of `option`; an error about that value (a missing
 * repository, an unknown revision, or one of `codes`) is reported as
 * `OPTION: message`.
 */
export async function forOption<T>(option: string, work: () => Promise<T>, codes: readonly CmdbErrorCode[] = []): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!isCmdbError(e) || !(ABOUT_THE_VALUE.has(e.code) || codes.includes(e.code)) || e.message.startsWith(`${option} `) || e.message.startsWith(`${option}:`)) throw e;
    throw new CmdbError(`${option}: ${e.message}`, { code: e.code, cause: e, file: e.file, line: e.line, column: e.column });
  }
}
