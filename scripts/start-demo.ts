import os from 'node:os';
import path from 'node:path';
import { main } from '../cli/main.ts';
import { CmdbError } from '../core/errors.ts';
import { createDemoRepo } from '../examples/create-demo-repo.ts';

/**
 * `npm start`: builds the Acme demo config repo locally (no network) and serves
 * it. `CMDB_DEMO_DIR` is where the repo is built, `PORT` the port; logs are for
 * a human on a terminal, JSON otherwise (server/config.ts decides).
 */
const dir = process.env.CMDB_DEMO_DIR ?? path.join(os.tmpdir(), 'gitops-cmdb-demo', 'acme');
const port = process.env.PORT ?? '4000';
const repo = await createDemoRepo({ dir }).catch((error: unknown) => {
  // A directory that is not (or no longer) the demo repo, or that cannot be written: one line naming it, not a stack trace.
  const errno = (error as NodeJS.ErrnoException).code;
  if (error instanceof CmdbError) process.stderr.write(`cmdb: ${error.message}\n`);
  else if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) process.stderr.write(`cmdb: cannot build the demo repo in ${dir} (CMDB_DEMO_DIR): ${(error as Error).message}\n`);
  else throw error;
  process.exit(2);
});
process.stdout.write(
  [
    `Demo config repo: ${repo.dir} (main ${repo.main.slice(0, 12)}, branch change/scale-cart ${repo.change.slice(0, 12)})`,
    `Web UI: http://localhost:${port}/   (npm run build:web rebuilds it)`,
    `Try:  npx cmdb check --repo ${repo.dir} --base main --head change/scale-cart`,
    `      npx cmdb impact resource:redis-cart --repo ${repo.dir}`,
    `Query: curl -s localhost:${port}/graphql -H 'content-type: application/json' \\`,
    `         -d '{"query":"{ impact(refs: [\\"resource:redis-cart\\"]) { entities { ref distance via } } }"}'`,
    `Health: curl -s localhost:${port}/readyz    Metrics: curl -s localhost:${port}/metrics`,
    '',
  ].join('\n'),
);
process.exitCode = await main(['serve', '--repo', repo.dir, '--ref', 'main']); // the port comes from PORT
