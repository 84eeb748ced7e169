import { EXIT } from '../exitCodes.ts';
import { forOption, parseTime } from '../options.ts';
import type { Output } from '../output.ts';
import { isPullRequestRecord, type ChangeRecord } from '../../state/ChangeRecord.ts';
import { defaultStateDir } from '../../state/FileChangeStore.ts';
import { openChangeStore } from '../../state/openChangeStore.ts';
import { neo4jSettings } from '../context.ts';

export interface ChangesOptions {
  neo4j?: string;
  stateDir?: string;
  repository?: string;
  since?: string;
  format: 'text' | 'json';
}

/**
 * `2026-03-03 14:30  acme/config#12  high normal  by anguyen, approved by csmith-acme, ewalsh  "Scale the cart"  (3 changed, 6 impacted)`;
 * a branch range: `2026-03-03 14:30  branch:0123..4567  branch, 2 commits  by Ann <ann@example.com>  "Scale the cart"  (3 changed, 6 impacted)`.
 */
function textLine(r: ChangeRecord): string {
  const what = isPullRequestRecord(r)
    ? `${r.risk} ${r.changeType}  by ${r.author ?? 'unknown'}${r.approvedBy.length ? `, approved by ${r.approvedBy.join(', ')}` : ''}`
    : `branch, ${r.commits.length} commit${r.commits.length === 1 ? '' : 's'}  by ${r.author ?? 'unknown'}`;
  return `${r.mergedAt.slice(0, 16).replace('T', ' ')}  ${r.id}  ${what}  "${r.title}"  (${r.changed.length} changed, ${r.impacted.length} impacted)`;
}

/** `cmdb changes`: the change records kept (merged pull requests, branch ranges), oldest merge first. */
export async function runChanges(o: ChangesOptions, io: Output): Promise<number> {
  const since = parseTime(o.since, '--since');
  const neo4j = neo4jSettings(o);
  // A state store error is about the option that chose the store, when one did.
  const option = neo4j ? (o.neo4j ? '--neo4j' : undefined) : o.stateDir !== undefined ? '--state-dir' : undefined;
  const about = <T,>(work: () => Promise<T>) => (option ? forOption(option, work, ['state-store', 'graph-store']) : work());
  const store = await about(() => openChangeStore({ dir: o.stateDir ?? defaultStateDir(), neo4j, readOnly: true }));
  try {
    const records = await about(() => store.changes({ repository: o.repository, since }));
    if (o.format === 'json') io.out(JSON.stringify(records, null, 2));
    else io.out(records.length ? records.map(textLine).join('\n') : 'no change recorded');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
