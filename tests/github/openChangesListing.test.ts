/**
 * What the GitHub controller keeps of open pull requests, as `openChanges`
 * lists it (listOpenChanges): the real controller, the GitHub fake and the
 * demo config repo over real Git HTTP (tests/github/harness.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listOpenChanges } from '../../controller/github/OpenChanges.ts';
import { startHarness, type Harness } from './harness.ts';
import { pullRequestEvent } from './payloads.ts';

let h: Harness | undefined;
afterEach(async () => {
  const fake = h?.fake;
  await h?.close();
  h = undefined;
  expect(fake?.violations ?? []).toEqual([]);
});

describe('listOpenChanges', () => {
  it('lists each evaluated open pull request with its risk, decision, changed refs and conflicts; a closed one leaves', async () => {
    h = await startHarness();
    const { change } = h.remote.demo;
    // Two pull requests with the same head: the second overlaps the first.
    const first = h.openPull(1, change);
    await h.send('pull_request', pullRequestEvent('opened', h.repo, first));
    await h.controller.idle();
    const second = h.openPull(2, change);
    await h.send('pull_request', pullRequestEvent('opened', h.repo, second));
    await h.controller.idle();

    const listed = await listOpenChanges(h.stateDir);
    expect(listed.map((o) => [o.repository, o.number, o.head])).toEqual([
      ['acme/config', 1, change],
      ['acme/config', 2, change],
    ]);
    const [one, two] = listed;
    // The same evaluation as the check run: the demo change touches critical services.
    expect(h.fake.checkRunsOn('acme/config', change)[0].conclusion).toBe('action_required');
    expect(one).toMatchObject({ decision: 'needs-approval', risk: 'high' });
    expect(one.changed!.length).toBeGreaterThan(0);
    expect(one.touched).toEqual(expect.arrayContaining(one.changed!));
    expect(one.conflicts).toEqual([]); // evaluated when it was the only one open
    expect(two.conflicts).toHaveLength(1);
    expect(two.conflicts![0].number).toBe(1);
    expect(two.conflicts![0].refs.length).toBeGreaterThan(0);

    await h.send('pull_request', pullRequestEvent('closed', h.repo, first));
    await h.controller.idle();
    expect((await listOpenChanges(h.stateDir)).map((o) => o.number)).toEqual([2]);
  });
});
