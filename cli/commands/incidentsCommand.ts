import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatOption } from '../options.ts';
import type { Output } from '../output.ts';
import type { IncidentActionOptions, IncidentShowOptions, IncidentsOptions } from './incidents.ts';

type Run = (p: Promise<number>) => Promise<void>;

/** `--wait`: whole seconds, 0 to only queue. */
const seconds = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number of seconds (0 to only queue the command)');
  return n;
};
export const STATE_DIR_HELP = 'state directory of cmdb serve (default: CMDB_STATE_DIR, else ~/.local/state/gitops-cmdb)';

/** `cmdb incidents` and `cmdb incident show|ack|resolve|note`; the stores load when they run. */
export function registerIncidents(program: Command, io: Output, run: Run): void {
  const load = () => import('./incidents.ts');
  program
    .command('incidents')
    .description('list the incidents cmdb serve recorded (newest first), from the state directory, or from Neo4j with --neo4j or CMDB_NEO4J_URI; safe while cmdb serve runs')
    .addOption(new Option('--state <state>', 'which incidents: open (not resolved), resolved, or all').choices(['open', 'resolved', 'all']).default('open'))
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .addOption(formatOption(['text', 'json']))
    .action((opts: IncidentsOptions, cmd: Command) => run(load().then(({ runIncidents }) => runIncidents({ ...cmd.optsWithGlobals(), ...opts }, io))));

  const incident = program.command('incident').description('show an incident, or acknowledge, resolve or annotate it (applied by the cmdb serve that holds the state directory)');
  incident
    .command('show <id>')
    .description('an incident with its signals, root, impact, probable causes, runbooks and timeline')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .addOption(formatOption(['text', 'json']))
    .action((id: string, opts: IncidentShowOptions, cmd: Command) => run(load().then(({ runIncidentShow }) => runIncidentShow(id, { ...cmd.optsWithGlobals(), ...opts }, io))));
  const actions = [
    ['ack', 'acknowledge', 'acknowledge an incident: you are on it'],
    ['resolve', 'resolve', 'resolve an incident by hand'],
    ['note', 'note', 'add a note to an incident\'s timeline (--note is required)'],
  ] as const;
  for (const [name, type, description] of actions) {
    incident
      .command(`${name} <id>`)
      .description(`${description}; queued for cmdb serve, which applies it; waits for it and prints the incident (exit 3 when it stays queued)`)
      .option('--note <text>', 'a note for the timeline')
      .option('--by <name>', 'who does it (default: $USER)')
      .option('--wait <seconds>', 'seconds to wait for cmdb serve to apply it', seconds, 10)
      .option('--state-dir <dir>', STATE_DIR_HELP)
      .addOption(formatOption(['text', 'json']))
      .action((id: string, opts: IncidentActionOptions, cmd: Command) => run(load().then(({ runIncidentAction }) => runIncidentAction(type, id, { ...cmd.optsWithGlobals(), ...opts }, io))));
  }
}
