/**
 * `npm run helm:install`: builds helm for the tests once per machine
 * (tests/infra/helm.ts) and prints the path of the binary.
 *
 *   node --import tsx tests/infra/helm-cli.ts install
 */
import { dispatch, runIfMain } from './cliMain.ts';
import { ensureHelmInstalled } from './helm.ts';

export const main = (argv: string[]): Promise<number> =>
  dispatch(
    argv,
    {
      install: async () => {
        console.log((await ensureHelmInstalled({ log: (line) => console.error(line) })).helm);
        return 0;
      },
    },
    'node --import tsx tests/infra/helm-cli.ts install',
  );

runIfMain(import.meta.url, main);
