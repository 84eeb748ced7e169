import { Option } from 'commander';
import { CmdbError } from '../core/errors.ts';

/** `--format` with the formats a command supports; the first is the default. */
export const formatOption = (formats: string[]): Option =>
  new Option('--format <format>', 'output format').choices(formats).default(formats[0]);

/** RFC 3339 date-time with a time zone (`2026-12-24T10:00:00Z`, `2026-12-24T11:00:00+01:00`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The time `--at` or `--since` names; a usage error when it is not RFC 3339. */
export function parseAt(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text.replace(' ', 'T'));
  if (!RFC3339.test(text) || Number.isNaN(date.getTime()))
    throw new CmdbError(`--at "${text}" is not an RFC 3339 date-time with a time zone, e.g. 2026-12-24T10:00:00Z`, { code: 'usage' });
  return date;
}
