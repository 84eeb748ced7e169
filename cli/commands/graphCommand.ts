import type { Command } from 'commander';
import type { Output } from '../output.ts';
import type { ExportOptions, SyncOptions } from './graph.ts';

/** `cmdb graph sync` and `cmdb graph export`; the catalog and Neo4j load when they run. */
export function registerGraph(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  const graph = program.command('graph').description('manage the graph store');
  graph
    .command('sync')
    .description('bring the Neo4j graph store to a revision: only the diff from its current commit, or a rebuild; prints the commit\'s violations')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to sync to', 'HEAD')
    .option('--strict', 'exit 1 when the commit has errors (its valid part is synced all the same)')
    .action((opts: SyncOptions, cmd: Command) => run(import('./graph.ts').then(({ runGraphSync }) => runGraphSync({ ...cmd.optsWithGlobals(), ...opts }, io))));
  graph
    .command('export')
    .description('write the graph `graph sync` would write as CSV files for `neo4j-admin database import full`, to seed a new, empty Neo4j in seconds; prints the commit\'s violations')
    .requiredOption('--out <dir>', 'directory to write (created; must be empty)')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to export', 'HEAD')
    .option('--strict', 'exit 1 when the commit has errors (its valid part is exported all the same)')
    .action((opts: ExportOptions, cmd: Command) => run(import('./graph.ts').then(({ runGraphExport }) => runGraphExport({ ...cmd.optsWithGlobals(), ...opts }, io))));
}
