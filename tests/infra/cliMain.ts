/** What the infra CLIs (`npm run neo4j:*`, `k8s:*`, `helm:*`) share: options, dispatch, running as a script. */
import { pathToFileURL } from 'node:url';

/** The value of `--name V` or `--name=V`. */
export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

/** Runs the subcommand named by `argv[0]` with the rest; an unknown one prints `usage` and exits 2. */
export async function dispatch(argv: readonly string[], commands: Record<string, (rest: string[]) => Promise<number>>, usage: string): Promise<number> {
  const [command, ...rest] = argv;
  const run = command !== undefined && Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (!run) {
    console.error(`usage: ${usage}`);
    return 2;
  }
  return run(rest);
}

/** Runs `main` with the process's arguments when the module at `moduleUrl` is the script node was started with. */
export function runIfMain(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (process.argv[1] === undefined || pathToFileURL(process.argv[1]).href !== moduleUrl) return;
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
