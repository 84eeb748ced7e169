import type { Command } from 'commander';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { ChangesOptions } from './changes.ts';

/** `cmdb changes`; the state store (and Neo4j, when configured) loads when it runs. */
export function registerChanges(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('changes')
    .description('list the merged changes `cmdb serve --github` recorded (number, author, risk, change type, opened/approved/merged times, impact); from Neo4j with --neo4j or CMDB_NEO4J_URI')
    .option('--state-dir <dir>', 'state directory of cmdb serve (default: CMDB_STATE_DIR, else ~/.local/state/gitops-cmdb)')
    .option('--repository <owner/name>', 'only changes of this config repo')
    .option('--since <time>', 'only changes merged at or after this RFC 3339 time')
    .addOption(formatOption(['text', 'json']))
    .action((opts: ChangesOptions, cmd: Command) => run(import('./changes.ts').then(({ runChanges }) => runChanges({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
