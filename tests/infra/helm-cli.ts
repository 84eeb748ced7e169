/**
 * `npm run helm:install`: builds helm for the tests once per machine
 * (tests/infra/helm.ts) and prints the path of the binary.
 *
 *   node --import tsx tests/infra/helm-cli.ts install
 */
import { pathToFileURL } from 'node:url';
import { ensureHelmInstalled } from './helm.ts';

export async function main(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0] !== 'install') {
    console.error('usage: node --import tsx tests/infra/helm-cli.ts install');
    return 2;
  }
  const installation = await ensureHelmInstalled({ log: (line) => console.error(line) });
  console.log(installation.helm);
  return 0;
}

const invokedDirectly = process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
