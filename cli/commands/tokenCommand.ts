import { Option, type Command } from 'commander';
import { ROLES } from '../../core/principal.ts';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { TokenCreateOptions } from './token.ts';

/** `cmdb token create`: a new API token and its tokens-file entry (docs/security.md). */
export function registerToken(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  const token = program.command('token').description('API bearer tokens for `cmdb serve --tokens FILE`');
  token
    .command('create')
    .description('print a new random token once, and the entry (its SHA-256, never the token) to add to the tokens file')
    .requiredOption('--name <name>', 'who uses it: shown as the caller (`me`, who did what)')
    .addOption(new Option('--role <role>', 'what it may do').choices([...ROLES]).makeOptionMandatory())
    .addOption(formatOption(['text', 'json']))
    .action((opts: TokenCreateOptions) => run(import('./token.ts').then(({ runTokenCreate }) => runTokenCreate(opts, io))));
}
