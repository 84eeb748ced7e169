import type { Command } from 'commander';
import { formatOption, parsePositiveInteger } from '../options.ts';
import type { Output } from '../output.ts';
import type { ImpactOptions } from './impact.ts';

/** `cmdb impact REF`; the catalog and the graph store load when it runs. */
export function registerImpact(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('impact')
    .description('list what an entity impacts (its blast radius)')
    .argument('<ref>', 'entity: kind:namespace/name, or a unique name')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to read (default HEAD; with Neo4j, the commit the graph holds)')
    .option('--depth <n>', 'maximum distance', parsePositiveInteger)
    .addOption(formatOption(['text', 'json']))
    .action((target: string, opts: ImpactOptions, cmd: Command) =>
      run(import('./impact.ts').then(({ runImpact }) => runImpact(target, { ...cmd.optsWithGlobals(), ...opts }, io))),
    );
}
