import { EXIT } from '../exitCodes.ts';
import { openCatalog, openGraph } from '../context.ts';
import { forOption } from '../options.ts';
import type { Output } from '../output.ts';
import { violationLines } from '../output.ts';
import { commitViolations } from '../../controller/commitViolations.ts';
import { CONFIG_SECTIONS } from '../../incidents/configSections.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';

export interface ValidateOptions {
  repo: string;
  ref: string;
  format: 'text' | 'json';
  git: GitImplementation;
  cache: boolean;
}

/** `cmdb validate`: exit 0 when the catalog at the revision is valid, 1 when not. */
export async function runValidate(o: ValidateOptions, io: Output): Promise<number> {
  const reader = await openCatalog(o);
  const snapshot = await reader.read(await forOption('--ref', () => reader.git.resolve(o.ref)));
  const graph = await openGraph();
  await graph.load(snapshot);
  const violations = await commitViolations({ reader, snapshot, graph, sections: CONFIG_SECTIONS });
  await graph.close();
  const errors = violations.filter((v) => v.severity === 'error');
  if (o.format === 'json') {
    io.out(JSON.stringify({ commit: snapshot.commit, entities: snapshot.entities.size, valid: errors.length === 0, violations }, null, 2));
  } else if (violations.length > 0) {
    io.out(violationLines(violations));
    io.err(`${errors.length} error(s) in ${snapshot.entities.size} entities at ${snapshot.commit.slice(0, 12)}`);
  } else {
    io.err(`valid: ${snapshot.entities.size} entities at ${snapshot.commit.slice(0, 12)}`);
  }
  return errors.length > 0 ? EXIT.failed : EXIT.ok;
}
