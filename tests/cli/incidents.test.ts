/** `cmdb incidents`, `cmdb incident show|ack|resolve|note`, `cmdb problems` on a state dir written by FileIncidentStore (and one read from Neo4j). */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runIncidents, runIncidentShow } from '../../cli/commands/incidents.ts';
import { runProblems } from '../../cli/commands/problems.ts';
import { incidentView } from '../../incidents/view.ts';
import { FileIncidentStore } from '../../state/FileIncidentStore.ts';
import { INCIDENT_COMMANDS_FILE, IncidentCommandInbox } from '../../state/IncidentCommandInbox.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { INCIDENT_LABELS, Neo4jIncidentStore } from '../../state/Neo4jIncidentStore.ts';
import { cmdb, cmdbProcess } from '../helpers/cli.ts';
import { requireNeo4j } from '../infra/neo4j-test-env.ts';
import { incident, problem, signal } from '../state/incidentRecordsFixtures.ts';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const INC1 = incident(1, {
  title: 'component:default/db is unhealthy',
  signals: ['fp-db', 'fp-api'],
  correlated: ['component:default/api'],
  probableCauses: [{ change: { id: 'acme/config#12', number: 12, commits: [SHA], title: 'Scale db to zero', recordedAt: '2026-03-03T09:55:00Z' }, reason: 'changed the root component:default/db' }],
  runbooks: [{ path: 'runbooks/db.md', title: 'Database down' }],
  problem: 'PRB-1',
});
const INC2 = incident(2, { state: 'acknowledged', acknowledgedAt: '2026-03-03T10:03:00Z', root: 'component:default/cache', signals: ['fp-cache'], title: 'component:default/cache is drifted' });
const INC3 = incident(3, { state: 'resolved', resolvedAt: '2026-03-03T10:09:00Z', signals: ['fp-gone'], title: 'old one' });
const SIGNALS = [signal('fp-db'), signal('fp-api', { ref: 'component:default/api', kind: 'alert', source: 'alertmanager', field: 'HighErrorRate', state: 'cleared', clearedAt: '2026-03-03T10:02:00Z' }), signal('fp-cache', { ref: 'component:default/cache', kind: 'drifted', field: 'spec.replicas' })];
const PRB1 = problem(1, { incidents: ['INC-1', 'INC-3'], state: 'known-error', workaround: 'restart the db' });

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-cli-incidents-'));
  dirs.push(d);
  return d;
};
let dir: string;
/** The store as written, to compare the CLI's output with. */
let written: IncidentStore;
const opened: IncidentStore[] = [];

beforeAll(async () => {
  dir = tmp();
  const store = new FileIncidentStore({ dir });
  await store.open();
  await store.commit({ signals: SIGNALS, incidents: [INC1, INC2, INC3], problems: [PRB1] });
  await store.close();
  written = new FileIncidentStore({ dir, readOnly: true });
  await written.open();
});
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const view = (id: string) => incidentView(written.incident(id)!, (fp) => written.signal(fp));
const inbox = (d: string) => new IncidentCommandInbox({ dir: d });

describe('cmdb incidents', () => {
  it('lists open (unresolved) incidents by default as JSON: incidentView of each, newest first', async () => {
    const r = await cmdb('incidents', '--state-dir', dir, '--format', 'json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual([view('INC-2'), view('INC-1')]);
    expect(JSON.parse(r.stdout)[1].probableCauses[0].change.commits).toEqual([SHA]);
  });

  it('--state resolved and all', async () => {
    expect(JSON.parse((await cmdb('incidents', '--state-dir', dir, '--state', 'resolved', '--format', 'json')).stdout)).toEqual([view('INC-3')]);
    expect(JSON.parse((await cmdb('incidents', '--state-dir', dir, '--state', 'all', '--format', 'json')).stdout).map((v: { id: string }) => v.id)).toEqual(['INC-3', 'INC-2', 'INC-1']);
    const bad = await cmdb('incidents', '--state-dir', dir, '--state', 'closed');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--state <state>.*Allowed choices are open, resolved, all/);
  });

  it('prints a table as text', async () => {
    const r = await cmdb('incidents', '--state-dir', dir);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+STATE\s+SEVERITY\s+OPENED \(UTC\)\s+ROOT\s+SIGNALS\s+TITLE$/);
    expect(rows.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['INC-2', 'acknowledged', 'high', '2026-03-03 10:02', 'component:default/cache', '1/1 firing', 'component:default/cache is drifted'],
      ['INC-1', 'open', 'high', '2026-03-03 10:01', 'component:default/db', '1/2 firing', 'component:default/db is unhealthy'],
    ]);
  });

  it('reads the default state dir from CMDB_STATE_DIR, in the real cmdb process', () => {
    const r = cmdbProcess(['incidents', '--format', 'json', '--state', 'all'], { CMDB_STATE_DIR: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([view('INC-3'), view('INC-2'), view('INC-1')]);
  });

  it('on a state dir with no incidents journal: says so, exits 0, creates nothing', async () => {
    const missing = path.join(tmp(), 'nothing-here');
    expect(await cmdb('incidents', '--state-dir', missing)).toEqual({ code: 0, stdout: `no incidents recorded in ${missing}\n`, stderr: '' });
    expect(await cmdb('incidents', '--state-dir', missing, '--format', 'json')).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    expect(await cmdb('problems', '--state-dir', missing)).toEqual({ code: 0, stdout: `no problems recorded in ${missing}\n`, stderr: '' });
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('a damaged journal: one line naming file:line, exit 2, no stack', async () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'incidents.jsonl'), `{"tx": {}}\nnot json\n{"tx": {}}\n`);
    const r = await cmdb('incidents', '--state-dir', d);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`cmdb: ${path.join(d, 'incidents.jsonl')}:2:1: not a JSON line: the incident journal is damaged (move it away to start empty, or repair the line)`);
  });
});

describe('cmdb incidents, store errors', () => {
  it('a state dir that is a file, and an unreachable Neo4j: one line naming the option, exit 2', async () => {
    const file = path.join(tmp(), 'a-file');
    fs.writeFileSync(file, '');
    const r = await cmdb('incidents', '--state-dir', file);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(new RegExp(`^cmdb: --state-dir: cannot open file ${file}/incidents.jsonl: ENOTDIR[^\n]*\n$`));
    const n = await cmdb('--neo4j', 'bolt://127.0.0.1:1', 'problems');
    expect(n).toMatchObject({ code: 2, stdout: '' });
    expect(n.stderr).toMatch(/^cmdb: --neo4j: Neo4j at bolt:\/\/127\.0\.0\.1:1 is unreachable: [^\n]*\n$/);
  });
});

describe('cmdb incident show', () => {
  it('shows one incident as JSON and as text', async () => {
    const json = await cmdb('incident', 'show', 'INC-1', '--state-dir', dir, '--format', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(view('INC-1'));
    const text = await cmdb('incident', 'show', 'INC-1', '--state-dir', dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('INC-1  component:default/db is unhealthy\nstate: open   severity: high   opened 2026-03-03 10:01 (UTC)\nroot: component:default/db\nproblem: PRB-1\n');
    expect(text.stdout).toContain('Signals:\n  firing   component:default/db  kubernetes unhealthy: fp-db is unhealthy');
    expect(text.stdout).toContain('  cleared  component:default/api  alertmanager alert HighErrorRate: fp-api is unhealthy');
    expect(text.stdout).toContain(`Probable causes:\n  1. #12 "Scale db to zero" (acme/config#12, recorded 2026-03-03 09:55, commits ${SHA.slice(0, 12)}): changed the root component:default/db`);
    expect(text.stdout).toContain('Runbooks:\n  Database down  runbooks/db.md');
    expect(text.stdout).toContain('Timeline:\n  2026-03-03 10:01  opened  cmdb: opened');
  });

  it('an incident listing only its nearest impacted: JSON has impactedCount, text says how many it shows', async () => {
    const d = tmp();
    const impacted = [
      { ref: 'component:default/api', distance: 1, criticality: 'critical' as const },
      { ref: 'component:default/web', distance: 1 },
    ];
    const store = new FileIncidentStore({ dir: d });
    await store.open();
    await store.commit({ signals: [signal('fp-1')], incidents: [incident(1, { impacted, impactedCount: 17113 }), incident(2, { root: 'component:default/cache', signals: [] })] });
    await store.close();
    const json = await cmdb('incident', 'show', 'INC-1', '--state-dir', d, '--format', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ impacted, impactedCount: 17113 });
    const text = await cmdb('incident', 'show', 'INC-1', '--state-dir', d);
    expect(text.stdout).toContain('\n17113 impacted (showing 2):\n  component:default/api  distance 1  critical\n  component:default/web  distance 1\n');
    const whole = await cmdb('incident', 'show', 'INC-2', '--state-dir', d);
    expect(whole.stdout).toContain('\nImpacted:\n  component:default/api  distance 1  high\n');
    expect(whole.stdout).not.toContain('showing');
  });

  it('an unknown id: a clear message and exit 2', async () => {
    const r = await cmdb('incident', 'show', 'INC-9', '--state-dir', dir);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `cmdb: no incident INC-9 in ${dir} (cmdb incidents --state all lists them)\n` });
    const missing = path.join(tmp(), 'none');
    const m = await cmdb('incident', 'show', 'INC-1', '--state-dir', missing);
    expect(m).toEqual({ code: 2, stdout: '', stderr: `cmdb: no incident INC-1: no incidents recorded in ${missing}\n` });
  });
});

describe('cmdb problems', () => {
  it('lists problems as a table and as JSON', async () => {
    const text = await cmdb('problems', '--state-dir', dir);
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/))).toEqual([
      ['ID', 'STATE', 'OPENED (UTC)', 'ROOT', 'KIND', 'INCIDENTS', 'TITLE'],
      ['PRB-1', 'known-error', '2026-03-04 10:01', 'component:default/db', 'unhealthy', '2', 'component:default/db unhealthy again (1) (workaround: restart the db)'],
    ]);
    const { revision: _r, ...record } = PRB1;
    expect(JSON.parse((await cmdb('problems', '--state-dir', dir, '--format', 'json')).stdout)).toEqual([record]);
  });
});

/** A copy of the shared state dir, for commands that write to it. */
function copyState(): string {
  const d = tmp();
  fs.copyFileSync(path.join(dir, 'incidents.jsonl'), path.join(d, 'incidents.jsonl'));
  return d;
}

/**
 * Plays the leader's engine for the commands: while `signal` is not aborted,
 * applies each pending command of the inbox to the store (state, timeline,
 * revision) in one transaction with its id.
 */
async function applyCommands(store: IncidentStore, d: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    for (const c of await inbox(d).pending(store)) {
      if (c.type === 'update-problem' || c.type === 'dismiss-cause') continue;
      const i = store.incident(c.incident)!;
      const state = c.type === 'acknowledge' ? 'acknowledged' : c.type === 'resolve' ? 'resolved' : i.state;
      const timeline = [...i.timeline, { at: c.at, type: c.type === 'acknowledge' ? 'acknowledged' : c.type === 'resolve' ? 'resolved' : 'note', by: c.by, message: c.type, ...(c.note ? { note: c.note } : {}) }];
      await store.commit({ incidents: [{ ...i, state, timeline, revision: i.revision + 1 }], commands: [c.id] });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('cmdb incident ack|resolve|note', () => {
  it('with a cmdb serve holding the state dir: queues the command, waits until it is applied, prints the incident', async () => {
    const d = copyState();
    const server = new FileIncidentStore({ dir: d });
    await server.open();
    opened.push(server);
    const stop = new AbortController();
    const applying = applyCommands(server, d, stop.signal);
    try {
      const ack = await cmdb('incident', 'ack', 'INC-1', '--state-dir', d, '--by', 'alice', '--note', 'on it');
      expect(ack.stderr).toBe('');
      expect(ack.code).toBe(0);
      expect(ack.stdout).toMatch(/^INC-1 {2}component:default\/db is unhealthy\nstate: acknowledged /);
      expect(ack.stdout).toMatch(/ {2}acknowledged {2}alice: acknowledge — on it\n/);
      const resolve = await cmdb('incident', 'resolve', 'INC-1', '--state-dir', d, '--format', 'json');
      expect(resolve.code).toBe(0);
      expect(JSON.parse(resolve.stdout)).toMatchObject({ id: 'INC-1', state: 'resolved' });
      expect(JSON.parse(resolve.stdout).timeline.at(-1).by).toBe(process.env.USER || os.userInfo().username);
      const note = await cmdb('incident', 'note', 'INC-2', '--state-dir', d, '--note', 'cache warmed', '--by', 'bob', '--format', 'json');
      expect(note.code).toBe(0);
      expect(JSON.parse(note.stdout).timeline.at(-1)).toMatchObject({ type: 'note', by: 'bob', note: 'cache warmed' });
    } finally {
      stop.abort();
      await applying;
    }
    const commands = (await inbox(d).read()).commands.map((e) => e.command);
    expect(commands.map((c) => [c.type, 'incident' in c ? c.incident : undefined])).toEqual([['acknowledge', 'INC-1'], ['resolve', 'INC-1'], ['note', 'INC-2']]);
    expect(new Set(commands.map((c) => c.id)).size).toBe(3);
    expect(await inbox(d).pending(server)).toEqual([]);
  });

  it('with no cmdb serve: queues the command and exits 3 saying so (the real cmdb process); the next server finds it pending', async () => {
    const d = copyState();
    const r = cmdbProcess(['incident', 'ack', 'INC-2', '--state-dir', d, '--note', 'looking', '--by', 'carol']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^cmdb: no cmdb serve holds ${d} \\(no live process in incidents.lock\\): the command is queued \\([0-9a-f-]{36} in ${path.join(d, INCIDENT_COMMANDS_FILE)}\\) and will be applied when \`cmdb serve --reconcile\` next runs with this state dir\n$`));
    const server = new FileIncidentStore({ dir: d });
    await server.open();
    opened.push(server);
    expect(server.incident('INC-2')?.timeline).toEqual(INC2.timeline); // not applied by the CLI
    const [pending, ...more] = await inbox(d).pending(server);
    expect(more).toEqual([]);
    expect(pending).toMatchObject({ type: 'acknowledge', incident: 'INC-2', by: 'carol', note: 'looking' });
    expect(r.stderr).toContain(pending.id);
  });

  it('a cmdb serve that does not apply the command within --wait: exit 3, the command stays queued', async () => {
    const d = copyState();
    const server = new FileIncidentStore({ dir: d });
    await server.open();
    opened.push(server);
    const r = await cmdb('incident', 'resolve', 'INC-1', '--state-dir', d, '--wait', '1');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^cmdb: cmdb serve \\(pid ${process.pid}\\) did not apply the command within 1s: the command is queued .* and will be applied when \`cmdb serve --reconcile\` gets to it\n$`));
    expect((await inbox(d).pending(server)).map((c) => c.type)).toEqual(['resolve']);
  });

  it('refuses an unknown id (nothing queued), a note without text, and a bad --wait', async () => {
    const d = copyState();
    expect(await cmdb('incident', 'ack', 'INC-9', '--state-dir', d)).toEqual({ code: 2, stdout: '', stderr: `cmdb: no incident INC-9 in ${d} (cmdb incidents --state all lists them)\n` });
    expect(await cmdb('incident', 'note', 'INC-1', '--state-dir', d)).toEqual({ code: 2, stdout: '', stderr: 'cmdb: cmdb incident note needs --note TEXT\n' });
    const wait = await cmdb('incident', 'ack', 'INC-1', '--state-dir', d, '--wait', 'soon');
    expect(wait.code).toBe(2);
    expect(wait.stderr).toMatch(/--wait <seconds>.*must be a whole number of seconds/);
    expect(fs.existsSync(path.join(d, INCIDENT_COMMANDS_FILE))).toBe(false);
  });
});

describe('the incident commands on Neo4j', () => {
  const store = `test-cli-${crypto.randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    const driver = neo4j.driver(requireNeo4j());
    for (const label of Object.values(INCIDENT_LABELS)) await driver.executeQuery(`MATCH (n:${label}) WHERE n.store = $store DETACH DELETE n`, { store });
    await driver.close();
  });

  it('read the incident store in Neo4j when --neo4j is given', async () => {
    const uri = requireNeo4j();
    const writer = new Neo4jIncidentStore({ uri, store });
    await writer.open();
    await writer.commit({ signals: SIGNALS, incidents: [INC1, INC2, INC3], problems: [PRB1] });
    await writer.close();
    let out = '';
    const io = { out: (t: string) => (out += `${t}\n`), err: (t: string) => (out += `ERR ${t}\n`) };
    const options = { neo4j: uri, neo4jStore: store, stateDir: path.join(tmp(), 'unused'), format: 'json' as const };
    expect(await runIncidents({ ...options, state: 'open' }, io)).toBe(0);
    expect(JSON.parse(out)).toEqual([view('INC-2'), view('INC-1')]);
    out = '';
    expect(await runIncidentShow('INC-3', options, io)).toBe(0);
    expect(JSON.parse(out)).toEqual(view('INC-3'));
    out = '';
    expect(await runProblems(options, io)).toBe(0);
    expect(JSON.parse(out).map((p: { id: string }) => p.id)).toEqual(['PRB-1']);
  });
});
