import type { Command } from 'commander';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import { STATE_DIR_HELP } from './incidentsCommand.ts';
import type { ProblemsOptions } from './problems.ts';

/** `cmdb problems`; the stores load when it runs. */
export function registerProblems(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('problems')
    .description('list the problems (recurring incidents) cmdb serve recorded, newest first; from the state directory, or Neo4j with --neo4j or CMDB_NEO4J_URI')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .addOption(formatOption(['text', 'json']))
    .action((opts: ProblemsOptions, cmd: Command) => run(import('./problems.ts').then(({ runProblems }) => runProblems({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
