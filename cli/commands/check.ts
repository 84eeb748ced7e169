import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT } from '../exitCodes.ts';
import { openCatalog, openGraph } from '../context.ts';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import { CmdbError } from '../../catalog/errors.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import { evaluateChange } from '../../controller/evaluateChange.ts';
import { toReport } from '../../controller/report.ts';
import { JsonReporter, MarkdownReporter, TextReporter, type Reporter } from '../../controller/reporters/index.ts';
import { parseOpenChanges } from '../../policies/conflicts.ts';
import type { OpenChange } from '../../policies/types.ts';

interface CheckOptions {
  repo: string;
  base: string;
  head: string;
  format: 'text' | 'json' | 'markdown';
  git: GitImplementation;
  cache: boolean;
  at?: string;
  author?: string;
  label: string[];
  approvedBy: string[];
  title?: string;
  openChanges?: string;
}

const reporters: Record<CheckOptions['format'], () => Reporter> = {
  text: () => new TextReporter(),
  json: () => new JsonReporter(),
  markdown: () => new MarkdownReporter(),
};

/** RFC 3339 date-time with a time zone (`2026-12-24T10:00:00Z`, `2026-12-24T11:00:00+01:00`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The evaluation time `--at` names; a usage error when it is not RFC 3339. */
export function parseAt(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text.replace(' ', 'T'));
  if (!RFC3339.test(text) || Number.isNaN(date.getTime()))
    throw new CmdbError(`--at "${text}" is not an RFC 3339 date-time with a time zone, e.g. 2026-12-24T10:00:00Z`, { code: 'usage' });
  return date;
}

/** Open changes from `--open-changes FILE` (JSON: [{"id", "title"?, "impacted": [ref]}]). */
async function readOpenChanges(file: string | undefined): Promise<OpenChange[] | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CmdbError(`--open-changes: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { code: 'usage', cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CmdbError(`--open-changes: ${file} is not JSON (${(e as Error).message})`, { code: 'usage', cause: e });
  }
  return parseOpenChanges(json, file);
}

/** `cmdb check`: evaluates base..head as a change request; exit 1 when blocked (needs-approval exits 0: the report says who must approve). */
export async function runCheck(o: CheckOptions, io: Output): Promise<number> {
  const at = parseAt(o.at);
  const openChanges = await readOpenChanges(o.openChanges);
  const reader = await openCatalog(o);
  const graph = await openGraph();
  try {
    const evaluation = await evaluateChange(
      { base: o.base, head: o.head, title: o.title, author: o.author, labels: o.label, approvedBy: o.approvedBy, at, openChanges },
      { reader, graph },
    );
    const report = toReport(evaluation);
    io.out(reporters[o.format]().render(report));
    return report.decision === 'blocked' ? EXIT.failed : EXIT.ok;
  } finally {
    await graph.close();
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

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
    .option('--open-changes <file>', 'JSON file of other open changes: [{"id", "title", "impacted": [entity refs]}]')
    .action((opts: CheckOptions, cmd: Command) => run(runCheck({ ...cmd.optsWithGlobals(), ...opts }, io)));
}
