import { Command, CommanderError, Option } from 'commander';
import { isCmdbError } from '../core/errors.ts';
import { registerCache } from './commands/cacheCommand.ts';
import { registerChanges } from './commands/changesCommand.ts';
import { registerCheck } from './commands/checkCommand.ts';
import { registerDiscover } from './commands/discoverCommand.ts';
import { registerGraph } from './commands/graphCommand.ts';
import { registerImpact } from './commands/impactCommand.ts';
import { registerIncidents } from './commands/incidentsCommand.ts';
import { registerProblems } from './commands/problemsCommand.ts';
import { registerReconcile } from './commands/reconcileCommand.ts';
import { registerSchema } from './commands/schemaCommand.ts';
import { registerServe } from './commands/serveCommand.ts';
import { registerToken } from './commands/tokenCommand.ts';
import { registerValidate } from './commands/validateCommand.ts';
import { EXIT } from './exitCodes.ts';
import { processOutput, type Output } from './output.ts';

/**
 * The `cmdb` program; `run` receives each command's exit-code promise. Only the
 * command definitions load here: each command imports its implementation (and
 * its dependencies: catalog, Neo4j, GraphQL, Octokit...) when it runs.
 */
export function buildProgram(io: Output, run: (p: Promise<number>) => Promise<void>): Command {
  const program = new Command('cmdb')
    .description('gitops-cmdb: the catalog in Git, its dependency graph, and change evaluation')
    .version('0.1.0')
    .addOption(new Option('--git <implementation>', 'Git reader').choices(['auto', 'native', 'isomorphic']).default('auto'))
    .option('--no-cache', 'do not read or write the parse cache (CMDB_CACHE_DIR)')
    .option('--neo4j <uri>', 'use the Neo4j graph store at this bolt:// URI (default: CMDB_NEO4J_URI, else in memory)')
    .exitOverride()
    .configureOutput(output(io, 'cmdb'));
  for (const register of [registerValidate, registerImpact, registerCheck, registerServe, registerGraph, registerChanges, registerCache, registerReconcile, registerDiscover, registerIncidents, registerProblems]) register(program, io, run);
  registerSchema(program, io, run);
  registerToken(program, io, run);
  const override = (cmd: Command, path: string): void => {
    cmd.exitOverride().configureOutput(output(io, path));
    for (const sub of cmd.commands) override(sub, `${path} ${sub.name()}`);
  };
  for (const cmd of program.commands) override(cmd, `cmdb ${cmd.name()}`);
  return program;
}

/**
 * Where commander writes, and its usage errors in one line as every other
 * error (`cmdb: ...`), naming the help of the command typed.
 */
function output(io: Output, command: string) {
  return {
    writeOut: (s: string) => io.out(s.trimEnd()),
    writeErr: (s: string) => io.err(s.trimEnd()),
    outputError: (s: string, write: (s: string) => void) => write(`cmdb: ${s.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (run ${command} --help for usage)`),
  };
}

/** One line for the user: known failures by message, anything else as an internal error. */
function describeFailure(e: unknown): string {
  if (isCmdbError(e)) return `cmdb: ${e.format()}`;
  const message = e instanceof Error ? e.message : String(e);
  return `cmdb: internal error: ${message}${process.env.CMDB_DEBUG && e instanceof Error ? `\n${e.stack}` : ' (set CMDB_DEBUG=1 for details)'}`;
}

/** Runs `cmdb` with argv (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Output = processOutput): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(io, (p) => {
    pending = p;
    return p.then(() => undefined);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (!pending) {
      io.err(program.helpInformation());
      return EXIT.error;
    }
    return await pending;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.error;
    io.err(describeFailure(e));
    return EXIT.error;
  }
}
