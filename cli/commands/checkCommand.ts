import type { Command } from 'commander';
import { formatOption, parsePositiveInteger } from '../options.ts';
import type { Output } from '../output.ts';
import type { CheckOptions } from './check.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `cmdb check`; its implementation (catalog, policies, graph) loads when it runs. */
export function registerCheck(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('check')
    .description('evaluate a change (base..head): validation, diff, blast radius, policies, windows, risk, change type, approvals; exit 1 when blocked')
    .option('--repo <path>', 'config repository', '.')
    .requiredOption('--base <rev>', 'base revision (the target branch)')
    .requiredOption('--head <rev>', 'head revision (the change)')
    .addOption(formatOption(['text', 'json', 'markdown']))
    .option('--at <time>', 'evaluate at this RFC 3339 time (change windows, `now` in policies); default: now')
    .option('--author <login>', 'GitHub login of the change author (never counts as an approver)')
    .option('--label <label>', 'a label of the change, e.g. emergency (repeatable)', collect, [])
    .option('--approved-by <login>', 'GitHub login of a reviewer who approved (repeatable)', collect, [])
    .option('--title <text>', 'title of the change')
    .option('--open-changes <file>', 'JSON file of other open changes: [{"id", "title", "impacted": [entity refs or unique names]}]')
    .option('--limit <n>', 'lines per list in the text report, then "and N more" (default 25; JSON is always complete)', parsePositiveInteger)
    .action((opts: CheckOptions, cmd: Command) => run(import('./check.ts').then(({ runCheck }) => runCheck({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
