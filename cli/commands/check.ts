import type { Command } from 'commander';
import { EXIT } from '../exitCodes.ts';
import { openCatalog, openGraph } from '../context.ts';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import { evaluateChange } from '../../controller/evaluateChange.ts';
import { toReport } from '../../controller/report.ts';
import { JsonReporter, MarkdownReporter, TextReporter, type Reporter } from '../../controller/reporters/index.ts';

interface CheckOptions {
  repo: string;
  base: string;
  head: string;
  format: 'text' | 'json' | 'markdown';
  git: GitImplementation;
  cache: boolean;
}

const reporters: Record<CheckOptions['format'], () => Reporter> = {
  text: () => new TextReporter(),
  json: () => new JsonReporter(),
  markdown: () => new MarkdownReporter(),
};

/** `cmdb check`: evaluates base..head as a change request; exit 1 when blocked. */
export async function runCheck(o: CheckOptions, io: Output): Promise<number> {
  const reader = await openCatalog(o);
  const graph = await openGraph();
  try {
    const evaluation = await evaluateChange({ base: o.base, head: o.head }, { reader, graph });
    const report = toReport(evaluation);
    io.out(reporters[o.format]().render(report));
    return report.decision === 'blocked' ? EXIT.failed : EXIT.ok;
  } finally {
    await graph.close();
  }
}

export function registerCheck(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('check')
    .description('evaluate a change (base..head): validation, diff, blast radius, decision; exit 1 when blocked')
    .option('--repo <path>', 'config repository', '.')
    .requiredOption('--base <rev>', 'base revision (the target branch)')
    .requiredOption('--head <rev>', 'head revision (the change)')
    .addOption(formatOption(['text', 'json', 'markdown']))
    .action((opts: CheckOptions, cmd: Command) => run(runCheck({ ...cmd.optsWithGlobals(), ...opts }, io)));
}
