import type { Command } from 'commander';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { ValidateOptions } from './validate.ts';

/** `cmdb validate`; the catalog, the graph and the policies load when it runs. */
export function registerValidate(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('validate')
    .description('validate the catalog at a revision (exit 0 valid, 1 invalid, 2 error)')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to validate', 'HEAD')
    .addOption(formatOption(['text', 'json']))
    .action((opts: ValidateOptions, cmd: Command) => run(import('./validate.ts').then(({ runValidate }) => runValidate({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
