/**
 * One replica for the leader election tests, run as its own process:
 *
 *   node --import tsx tests/leader/elector-process.ts --kubeconfig FILE --context admin \
 *     --namespace NS --lease-name NAME --identity ID --lease-duration 3s --renew-deadline 2s \
 *     --retry-period 500ms --journal FILE --counter FILE [--tick-ms 50]
 *
 * Prints one JSON line per leadership event on stdout ({"event":"started-leading",...}), and
 * appends the same to the shared journal. While it leads it does "work": every tick it reads the
 * shared counter, writes it back incremented with its identity, and journals the tick, standing in
 * for a finding being reported. Two leaders at once would show up in the journal as interleaved
 * ticks or a number journaled twice. SIGTERM stops the election (releasing the lease) and exits 0.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { leaderElectionFromOptions, type LeadershipEvent } from '../../server/leader/index.ts';

const args = parseArgs(process.argv.slice(2));
const journal = required('journal');
const counter = required('counter');

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(required('kubeconfig'));
kubeConfig.setCurrentContext(args.context ?? 'admin');

const elector = leaderElectionFromOptions({
  leaderElect: true,
  kubeConfig,
  namespace: required('namespace'),
  leaseName: required('lease-name'),
  identity: required('identity'),
  leaseDuration: args['lease-duration'],
  renewDeadline: args['renew-deadline'],
  retryPeriod: args['retry-period'],
  onEvent: (event) => record(describe(event)),
});

const ticker = setInterval(tick, Number(args['tick-ms'] ?? 50));

process.on('SIGTERM', () => {
  clearInterval(ticker);
  void elector.stop().then(() => {
    record({ event: 'exited' });
    process.exit(0);
  });
});

elector.start();
record({ event: 'running' });

/** Leader-only work: the shared counter goes up by one, journaled with who did it. */
function tick(): void {
  if (!elector.isLeader()) return;
  let n = 0;
  try {
    n = (JSON.parse(readFileSync(counter, 'utf8')) as { n: number }).n;
  } catch {
    // first tick of the test
  }
  n += 1;
  writeFileSync(counter, JSON.stringify({ n, holder: elector.identity }));
  record({ event: 'tick', n });
}

function describe(event: LeadershipEvent): Record<string, unknown> {
  switch (event.type) {
    case 'started-leading':
      return { event: event.type };
    case 'stopped-leading':
      return { event: event.type, reason: event.reason };
    case 'new-leader':
      return { event: event.type, leader: event.leader ?? null };
    case 'error':
      return { event: event.type, code: event.error.code, message: event.error.message };
  }
}

function record(line: Record<string, unknown>): void {
  const text = `${JSON.stringify({ ...line, identity: elector?.identity ?? args.identity, at: Date.now() })}\n`;
  appendFileSync(journal, text);
  process.stdout.write(text);
}

function required(name: string): string {
  const value = args[name];
  if (!value) {
    process.stderr.write(`elector-process: --${name} is required\n`);
    process.exit(2);
  }
  return value;
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}
