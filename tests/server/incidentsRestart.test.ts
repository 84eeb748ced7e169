/**
 * A real `cmdb serve --reconcile` child process killed with SIGKILL while
 * Alertmanager alerts stream in, then started again on the same state dir:
 * every alert it acknowledged (200) is an incident after the restart, none is
 * doubled, and every incident's `incident.opened` notification reaches the
 * receiver (at least once; the same delivery id when resent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileIncidentStore } from '../../state/FileIncidentStore.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { waitFor } from './support.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cmdb.js');
const TOKEN = 'alertmanager-test-token';
const SECRET = 'notify-secret';
const N = 24;

let repo: TestRepo;
let stateDir: string;
let receiver: Server;
let receiverUrl: string;
const deliveries: Array<{ id: string; event: string; incident: string; signed: boolean }> = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  repo = TestRepo.create();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-incidents-restart-'));
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      const payload = JSON.parse(body) as { event: string; incident: { id: string } };
      deliveries.push({ id: String(req.headers['x-cmdb-delivery']), event: payload.event, incident: payload.incident.id, signed: req.headers['x-cmdb-signature-256'] === expected });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  const files: Record<string, string> = {
    'cmdb.yaml': stringify({ incidents: { for: '0s', resolveAfter: '1h', notify: { webhooks: [{ name: 'ops', url: receiverUrl, secretEnv: 'OPS_SECRET' }] } } }),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
  };
  // Unrelated services: each failing one is its own incident.
  for (let i = 0; i < N; i++) files[`svc-${i}.yaml`] = entity('Component', `svc-${i}`, { type: 'service', lifecycle: 'production', owner: 'team' });
  repo.commit(files);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await new Promise((r) => receiver?.close(r));
  repo?.remove();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

function serve(): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CMDB_ALERTMANAGER_TOKEN: TOKEN, OPS_SECRET: SECRET, CMDB_LOG_LEVEL: "warn" };
  delete env.CMDB_NEO4J_URI;
  const child = spawn(process.execPath, [BIN, 'serve', '--repo', repo.dir, '--ref', 'main', '--state-dir', stateDir, '--port', '0', '--poll', '0', '--reconcile'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /GraphQL API on (http:\/\/[^/\s]+)\/graphql/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`cmdb serve exited ${code}:\n${err}`)));
  });
}

const alert = (i: number) => ({
  version: '4', groupKey: `{}:{alertname="Down${i}"}`, truncatedAlerts: 0, status: 'firing', receiver: 'cmdb',
  groupLabels: { alertname: `Down${i}` }, commonLabels: { alertname: `Down${i}` }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
  alerts: [{ status: 'firing', labels: { alertname: `Down${i}`, cmdb_ref: `component:default/svc-${i}` }, annotations: { summary: `svc-${i} is down` }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus/graph', fingerprint: `fp${i}` }],
});

async function post(url: string, i: number): Promise<number> {
  try {
    const res = await fetch(`${url}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(alert(i)) });
    return res.status;
  } catch {
    return 0; // the connection died with the process
  }
}

async function stored() {
  const store = new FileIncidentStore({ dir: stateDir, readOnly: true });
  await store.open();
  try {
    return store.incidents();
  } finally {
    await store.close();
  }
}

it('loses no acknowledged alert, doubles no incident and delivers every notification across a SIGKILL', { timeout: 180_000 }, async () => {
  const first = await serve();
  const acknowledged = new Set<number>();
  // Alerts stream in concurrently; the process is killed while some are in flight.
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < N / 2; i++) {
    inFlight.push(post(first.url, i).then((status) => void (status === 200 && acknowledged.add(i))));
    if (i === N / 4) await inFlight[inFlight.length - 1];
  }
  const exited = new Promise((r) => first.child.once('exit', r));
  first.child.kill('SIGKILL');
  await Promise.all(inFlight);
  await exited; // listened to before the kill: a killed child has no exitCode (only signalCode), so checking after could wait forever
  expect(acknowledged.size).toBeGreaterThan(0);

  const afterKill = await stored();
  const refsAfterKill = afterKill.map((i) => i.root);
  for (const i of acknowledged) expect(refsAfterKill).toContain(`component:default/svc-${i}`);
  expect(new Set(refsAfterKill).size).toBe(refsAfterKill.length);

  // Alertmanager resends what was not acknowledged, and the rest comes.
  const second = await serve();
  for (let i = 0; i < N; i++) expect(await post(second.url, i)).toBe(200);
  const incidents = await waitFor('every alert an incident', async () => {
    const all = await stored();
    return all.length === N ? all : undefined;
  });
  expect(new Set(incidents.map((i) => i.root)).size).toBe(N);
  expect(incidents.every((i) => i.signals.length === 1 && i.state === 'open')).toBe(true);

  await waitFor('every opening notified', () => new Set(deliveries.filter((d) => d.event === 'incident.opened').map((d) => d.incident)).size === N);
  expect(deliveries.every((d) => d.signed)).toBe(true);
  // A resend after the kill carries the same delivery id: per incident, one distinct `incident.opened` delivery.
  const openedIds = new Map<string, Set<string>>();
  for (const d of deliveries.filter((x) => x.event === 'incident.opened')) openedIds.set(d.incident, (openedIds.get(d.incident) ?? new Set()).add(d.id));
  for (const ids of openedIds.values()) expect(ids.size).toBe(1);

  // A person acknowledges one from the command line while the server runs: the leader applies it from the inbox.
  const target = incidents.find((i) => i.root === 'component:default/svc-0')!;
  const ack = await cli('incident', 'ack', target.id, '--note', 'looking into it', '--by', 'alice', '--state-dir', stateDir, '--format', 'json');
  expect(ack.code).toBe(0);
  expect(JSON.parse(ack.stdout)).toMatchObject({ id: target.id, state: 'acknowledged' });
  const after = (await stored()).find((i) => i.id === target.id)!;
  expect(after.timeline).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'acknowledged', by: 'alice', note: 'looking into it' })]));
  const listed = await cli('incidents', '--state-dir', stateDir, '--format', 'json');
  expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(N);
  second.child.kill('SIGTERM');
});

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, CMDB_NEO4J_URI: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
