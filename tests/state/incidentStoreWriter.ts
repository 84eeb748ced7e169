/**
 * A child process for tests/state/incidentStoreFile.test.ts: opens the
 * FileIncidentStore in DIR and commits transaction after transaction until
 * killed, printing `committed N` once transaction N is durable.
 *
 * Transaction N adds incident INC-N, signal fp-N, command c-N and notification
 * n-N, delivers n-(N-1), and puts problem PRB-1 at revision N listing
 * INC-1..INC-N: the reopened store shows which prefix it kept.
 */
import { FileIncidentStore } from '../../state/FileIncidentStore.ts';
import { incident, notification, problem, signal } from './incidentRecordsFixtures.ts';

const dir = process.argv[2];
const store = new FileIncidentStore({ dir });
await store.open();
const from = (store.problem('PRB-1')?.revision ?? 0) + 1;
process.stdout.write(`opened at ${from - 1}\n`);
const ids = Array.from({ length: from - 1 }, (_, i) => `INC-${i + 1}`);
for (let n = from; ; n++) {
  ids.push(`INC-${n}`);
  await store.commit({
    incidents: [incident(n, { signals: [`fp-${n}`], title: 'x'.repeat(n % 7 === 0 ? 20_000 : 10) })],
    signals: [signal(`fp-${n}`)],
    commands: [`c-${n}`],
    notifications: [notification(`n-${n}`)],
    delivered: n > 1 ? [`n-${n - 1}`] : [],
    problems: [problem(1, { revision: n, incidents: [...ids] })],
  });
  process.stdout.write(`committed ${n}\n`);
}
