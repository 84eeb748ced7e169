import { readFile } from 'node:fs/promises';
import { EXIT } from '../exitCodes.ts';
import { openCatalog, openGraph } from '../context.ts';
import { forOption, parseTime } from '../options.ts';
import type { Output } from '../output.ts';
import { CmdbError } from '../../core/errors.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import { evaluateChange } from '../../controller/evaluateChange.ts';
import { CONFIG_SECTIONS } from '../../incidents/configSections.ts';
import { describeFailure, toReport } from '../../controller/report.ts';
import { JsonReporter, MarkdownReporter, TextReporter, type Reporter } from '../../controller/reporters/index.ts';
import { parseOpenChanges } from '../../policies/conflicts.ts';
import type { OpenChange } from '../../policies/types.ts';

export interface CheckOptions {
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
  /** Lines per list in the text report. */
  limit?: number;
}

const reporters: Record<CheckOptions['format'], (o: CheckOptions) => Reporter> = {
  text: (o) => new TextReporter({ limit: o.limit }),
  json: () => new JsonReporter(),
  markdown: () => new MarkdownReporter(),
};

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
  return parseOpenChanges(json, `--open-changes ${file}`);
}

/**
 * `cmdb check`: evaluates base..head as a change request; exit 1 when blocked
 * (needs-approval exits 0: the report says who must approve). When a step
 * fails (decision `internal`), one line on stderr names it with the message
 * and the exit code is 2 (CMDB_DEBUG=1 adds the stack); with `--format json`
 * the report is printed too (decision `internal`, `failure: {step, message}`).
 */
export async function runCheck(o: CheckOptions, io: Output): Promise<number> {
  const at = parseTime(o.at, '--at');
  const openChanges = await readOpenChanges(o.openChanges);
  const reader = await openCatalog(o);
  const graph = await openGraph();
  let thrown: unknown;
  try {
    const base = await forOption('--base', () => reader.git.resolve(o.base));
    const head = await forOption('--head', () => reader.git.resolve(o.head));
    const evaluation = await evaluateChange(
      { base, head, title: o.title, author: o.author, labels: o.label, approvedBy: o.approvedBy, at, openChanges },
      { reader, graph, onStep: (e) => (thrown ??= e.error), configSections: CONFIG_SECTIONS },
    );
    const report = toReport(evaluation);
    if (report.decision === 'internal') {
      const stack = process.env.CMDB_DEBUG && thrown instanceof Error && thrown.stack ? `\n${thrown.stack}` : '';
      io.err(`cmdb: could not evaluate the change: ${describeFailure(report.failure)}${stack}`);
      // A tool reading JSON still gets a report: decision `internal` with the failed step.
      if (o.format === 'json') io.out(reporters.json(o).render(report));
      return EXIT.error;
    }
    io.out(reporters[o.format](o).render(report));
    return report.decision === 'blocked' ? EXIT.failed : EXIT.ok;
  } finally {
    await graph.close();
  }
}
