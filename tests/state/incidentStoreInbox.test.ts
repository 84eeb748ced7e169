/** IncidentCommandInbox: commands queued by the CLI for the leader's engine, read by offset, pending until the store has applied them. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INCIDENT_COMMANDS_FILE, IncidentCommandInbox, type InboxEntry } from '../../state/IncidentCommandInbox.ts';
import type { IncidentCommand } from '../../state/IncidentRecords.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-inbox-'));
  dirs.push(d);
  return d;
};
const ack = (id: string, incident = 'INC-1'): IncidentCommand => ({ id, type: 'acknowledge', incident, by: 'alice', at: '2026-03-03T10:00:00Z' });

describe('IncidentCommandInbox', () => {
  it('appends one line per command and reads them back from an offset', async () => {
    const dir = path.join(tmp(), 'state'); // created on the first append
    const inbox = new IncidentCommandInbox({ dir });
    expect(await inbox.read()).toEqual({ commands: [], defects: [], next: 0 });
    await inbox.append(ack('a'));
    await inbox.append({ id: 'b', type: 'note', incident: 'INC-2', by: 'bob', note: 'looking', at: '2026-03-03T10:01:00Z' });
    expect(fs.readFileSync(path.join(dir, INCIDENT_COMMANDS_FILE), 'utf8').split('\n')).toHaveLength(3);
    const all = await inbox.read();
    expect(all.commands.map((e) => e.command.id)).toEqual(['a', 'b']);
    expect(all.next).toBe(fs.statSync(inbox.file).size);
    const rest = await inbox.read(all.commands[0].next);
    expect(rest.commands.map((e) => e.command)).toEqual([{ id: 'b', type: 'note', incident: 'INC-2', by: 'bob', note: 'looking', at: '2026-03-03T10:01:00Z' }]);
    expect(await inbox.read(all.next)).toEqual({ commands: [], defects: [], next: all.next });
  });

  it('leaves an incomplete last line for the next read, keeps a command appended after a torn one, and names lines that are not commands without stopping', async () => {
    const inbox = new IncidentCommandInbox({ dir: tmp() });
    await inbox.append(ack('a'));
    fs.appendFileSync(inbox.file, '{"id": "torn", "type": "ack'); // a CLI killed mid-write, then another appends after it
    await inbox.append(ack('b'));
    fs.appendFileSync(inbox.file, `${JSON.stringify({ id: 'c', type: 'reboot', incident: 'INC-1', by: 'x', at: 'y' })}\n${JSON.stringify(ack('d')).slice(0, 20)}`);
    const r = await inbox.read();
    expect(r.commands.map((e) => e.command.id)).toEqual(['a', 'b']); // b, appended after the torn write, is not lost
    expect(r.defects).toEqual([
      { at: `${inbox.file}:2`, message: expect.stringMatching(/^a torn command before the one at column 28 \(not JSON/) },
      { at: `${inbox.file}:3`, message: 'unknown type "reboot"' },
    ]);
    const size = fs.statSync(inbox.file).size;
    expect(r.next).toBeLessThan(size);
    fs.appendFileSync(inbox.file, `${JSON.stringify(ack('d')).slice(20)}\n`);
    expect((await inbox.read(r.next)).commands.map((e) => e.command.id)).toEqual(['d']);
    expect((await inbox.read(r.next)).defects).toEqual([]);
  });

  it('refuses to append what is not a command', async () => {
    const inbox = new IncidentCommandInbox({ dir: tmp() });
    await expect(inbox.append({ id: 'x', type: 'acknowledge', by: 'a', at: 'b' } as unknown as IncidentCommand)).rejects.toThrow(/not an incident command: no "incident"/);
    expect(fs.existsSync(inbox.file)).toBe(false);
  });

  it('pending: the commands the store has not applied, in order, each id once', async () => {
    const inbox = new IncidentCommandInbox({ dir: tmp() });
    for (const id of ['a', 'b', 'c', 'b']) await inbox.append(ack(id));
    const store = new InMemoryIncidentStore();
    await store.open();
    expect((await inbox.pending(store)).map((c) => c.id)).toEqual(['a', 'b', 'c']);
    await store.commit({ commands: ['a', 'c'] });
    expect((await inbox.pending(store)).map((c) => c.id)).toEqual(['b']);
  });

  it('tail: yields what is there, then what other processes append, until aborted', async () => {
    const inbox = new IncidentCommandInbox({ dir: tmp() });
    await inbox.append(ack('a'));
    const stop = new AbortController();
    const seen: InboxEntry[] = [];
    const tailing = (async () => {
      for await (const e of inbox.tail({ signal: stop.signal, pollMs: 20 })) {
        seen.push(e);
        if (seen.length === 3) stop.abort();
      }
    })();
    // Two commands appended by another process at once (O_APPEND, one write each).
    const child = spawn(process.execPath, ['-e', `const fs = require('fs'); for (const id of ['b', 'c']) fs.appendFileSync(${JSON.stringify(inbox.file)}, JSON.stringify(${JSON.stringify(ack('x'))}).replace('"x"', JSON.stringify(id)) + '\\n');`]);
    await new Promise((resolve) => child.on('exit', resolve));
    await tailing;
    expect(seen.map((e) => e.command.id)).toEqual(['a', 'b', 'c']);
    expect(seen[2].next).toBe(fs.statSync(inbox.file).size);
  });
});
