import type { Command } from 'commander';
import type { Output } from '../output.ts';
import type { SyncOptions } from './graph.ts';

/** `cmdb graph sync`; the catalog and Neo4j load when it runs. */
export function registerGraph(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  const graph = program.command('graph').description('manage the graph store');
  graph
    .command('sync')
    .description('bring the Neo4j graph store to a revision: only the diff from its current commit, or a rebuild; prints the commit\'s violations')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to sync to', 'HEAD')
    .option('--strict', 'exit 1 when the commit has errors (its valid part is synced all the same)')
    .action((opts: SyncOptions, cmd: Command) => run(import('./graph.ts').then(({ runGraphSync }) => runGraphSync({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
