import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { EXIT } from '../exitCodes.ts';
import { formatOption } from '../options.ts';
import { openCatalog, openGraph, resolveEntityRef } from '../context.ts';
import type { Output } from '../output.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';

interface ImpactOptions {
  repo: string;
  ref: string;
  depth?: number;
  format: 'text' | 'json';
  git: GitImplementation;
  cache: boolean;
}

/** `cmdb impact REF`: everything an outage or change of REF reaches. */
export async function runImpact(target: string, o: ImpactOptions, io: Output): Promise<number> {
  const reader = await openCatalog(o);
  const snapshot = await reader.read(o.ref);
  const root = resolveEntityRef(snapshot, target);
  const graph = await openGraph();
  await graph.load(snapshot);
  const result = await graph.impact([root], { depth: o.depth });
  await graph.close();
  if (o.format === 'json') {
    io.out(JSON.stringify({ roots: result.roots, entities: result.entities.map(({ ref, kind, distance, via }) => ({ ref, kind, distance, via })) }, null, 2));
    return EXIT.ok;
  }
  io.out(`Impact of ${root}: ${result.entities.length} entities`);
  for (const e of result.entities) io.out(`  ${e.ref}  (distance ${e.distance}, via ${e.via.join(' -> ')})`);
  return EXIT.ok;
}

export const parseDepth = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

export function registerImpact(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('impact')
    .description('list what an entity impacts (its blast radius)')
    .argument('<ref>', 'entity: kind:namespace/name, or a unique name')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to read', 'HEAD')
    .option('--depth <n>', 'maximum distance', parseDepth)
    .addOption(formatOption(['text', 'json']))
    .action((target: string, opts: ImpactOptions, cmd: Command) => run(runImpact(target, { ...cmd.optsWithGlobals(), ...opts }, io)));
}
