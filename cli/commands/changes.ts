import type { Command } from 'commander';
import { EXIT } from '../exitCodes.ts';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { ChangeRecord } from '../../controller/state/ChangeRecord.ts';
import { defaultStateDir } from '../../controller/state/FileStateStore.ts';
import { openStateStore } from '../../controller/state/openStateStore.ts';
import { neo4jSettings } from '../context.ts';
import { parseAt } from './check.ts';

interface ChangesOptions {
  neo4j?: string;
  stateDir?: string;
  repository?: string;
  since?: string;
  format: 'text' | 'json';
}

/** `2026-03-03 14:30  acme/config#12  high normal  by anguyen, approved by csmith-acme, ewalsh  "Scale the cart"  (3 changed, 6 impacted)` */
function textLine(r: ChangeRecord): string {
  const approved = r.approvedBy.length ? `, approved by ${r.approvedBy.join(', ')}` : '';
  return `${r.mergedAt.slice(0, 16).replace('T', ' ')}  ${r.id}  ${r.risk} ${r.changeType}  by ${r.author ?? 'unknown'}${approved}  "${r.title}"  (${r.changed.length} changed, ${r.impacted.length} impacted)`;
}

/** `cmdb changes`: the change records the GitHub controller kept, oldest merge first. */
export async function runChanges(o: ChangesOptions, io: Output): Promise<number> {
  const since = parseAt(o.since);
  const store = openStateStore({ dir: o.stateDir ?? defaultStateDir(), neo4j: neo4jSettings(o), readOnly: true });
  try {
    const records = await store.changes({ repository: o.repository, since });
    if (o.format === 'json') io.out(JSON.stringify(records, null, 2));
    else io.out(records.length ? records.map(textLine).join('\n') : 'no change recorded');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

export function registerChanges(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('changes')
    .description('list the merged changes `cmdb serve --github` recorded (number, author, risk, change type, opened/approved/merged times, impact); from Neo4j with --neo4j or CMDB_NEO4J_URI')
    .option('--state-dir <dir>', 'state directory of cmdb serve (default: CMDB_STATE_DIR, else ~/.local/state/gitops-cmdb)')
    .option('--repository <owner/name>', 'only changes of this config repo')
    .option('--since <time>', 'only changes merged at or after this RFC 3339 time')
    .addOption(formatOption(['text', 'json']))
    .action((opts: ChangesOptions, cmd: Command) => run(runChanges({ ...cmd.optsWithGlobals(), ...opts }, io)));
}
