import { Option } from 'commander';

/** `--format` with the formats a command supports; the first is the default. */
export const formatOption = (formats: string[]): Option =>
  new Option('--format <format>', 'output format').choices(formats).default(formats[0]);
