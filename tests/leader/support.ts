import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest, type KubeAccess } from '../infra/kube-test-env.ts';
import type { LeadershipEvent } from '../../server/leader/index.ts';

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A KubeConfig from the test server's kubeconfig, with `context` current (optionally through another address). */
export function kubeConfigFor(kube: KubeAccess, context: 'admin' | 'viewer', server?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kube.kubeconfig);
  kubeConfig.setCurrentContext(context);
  if (!server) return kubeConfig;
  const user = kubeConfig.getCurrentUser();
  const cluster = kubeConfig.getCurrentCluster();
  const rewired = new KubeConfig();
  rewired.loadFromOptions({
    clusters: [{ ...cluster, name: 'rewired', server, skipTLSVerify: true }],
    users: [user],
    contexts: [{ name: context, cluster: 'rewired', user: user?.name }],
    currentContext: context,
  });
  return rewired;
}

export { waitFor } from '../helpers/waitFor.ts';

/** Every event a Leadership delivered, with when it arrived. */
export class EventLog {
  readonly events: (LeadershipEvent & { at: number })[] = [];
  readonly listener = (event: LeadershipEvent): void => {
    this.events.push({ ...event, at: Date.now() });
  };
  of<K extends LeadershipEvent['type']>(type: K): (Extract<LeadershipEvent, { type: K }> & { at: number })[] {
    return this.events.filter((e) => e.type === type) as (Extract<LeadershipEvent, { type: K }> & { at: number })[];
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export async function readLease(kube: KubeAccess, namespace: string, name: string): Promise<{ metadata: { resourceVersion: string }; spec: LeaseSpec } | undefined> {
  const res = await kubeRequest({ server: kube.server, token: kube.adminToken, path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}` });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`reading lease ${name}: ${res.status} ${res.text}`);
  return res.json as { metadata: { resourceVersion: string }; spec: LeaseSpec };
}

export async function deleteLease(kube: KubeAccess, namespace: string, name: string): Promise<void> {
  await kubeRequest({ server: kube.server, token: kube.adminToken, method: 'DELETE', path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}` });
}

/** A MicroTime as the API server writes it. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * A TCP forwarder on 127.0.0.1 to the API server that can be cut: once cut, bytes stop flowing both
 * ways on open connections and new connections are held without an answer, as in a network partition.
 */
export class PartitionableProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return `https://127.0.0.1:${this.port}`;
  }

  partition(): void {
    this.cut = true;
    for (const socket of this.sockets) {
      socket.pause();
      socket.unpipe();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => {});
    if (this.cut) {
      client.pause();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      if (!this.cut) client.destroy();
    });
    upstream.on('error', () => {});
    client.on('close', () => {
      if (!this.cut) upstream.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** One line of the shared journal the replica processes write (tests/leader/elector-process.ts). */
export interface JournalLine {
  event: 'running' | 'started-leading' | 'stopped-leading' | 'new-leader' | 'error' | 'tick' | 'exited';
  identity: string;
  at: number;
  n?: number;
  reason?: string;
  leader?: string | null;
  message?: string;
}

export function readJournal(file: string): JournalLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as JournalLine);
}

export interface ReplicaOptions {
  identity: string;
  kubeconfig: string;
  namespace: string;
  leaseName: string;
  journal: string;
  counter: string;
  timing: { leaseDuration: string; renewDeadline: string; retryPeriod: string };
}

const ENTRY = fileURLToPath(new URL('./elector-process.ts', import.meta.url));

/** Starts tests/leader/elector-process.ts as its own process. */
export function spawnReplica(options: ReplicaOptions): ChildProcess {
  const child = spawn(process.execPath, [
    '--import', 'tsx', ENTRY,
    '--kubeconfig', options.kubeconfig, '--context', 'admin',
    '--namespace', options.namespace, '--lease-name', options.leaseName, '--identity', options.identity,
    '--lease-duration', options.timing.leaseDuration, '--renew-deadline', options.timing.renewDeadline,
    '--retry-period', options.timing.retryPeriod,
    '--journal', options.journal, '--counter', options.counter, '--tick-ms', '50',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null && stderr) process.stderr.write(`[${options.identity}] exited ${code}: ${stderr}\n`);
  });
  return child;
}

/** The process's exit, once it has exited. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Checks the journal's work ticks: numbered 1, 2, 3... each exactly once (no finding reported
 * twice, none lost) and done by one holder after another in contiguous runs (never A, B, A).
 * Returns the holders in order.
 */
export function tickHolders(lines: JournalLine[]): { holders: string[]; problems: string[] } {
  const ticks = lines.filter((l) => l.event === 'tick');
  const problems: string[] = [];
  ticks.forEach((t, i) => {
    if (t.n !== i + 1) problems.push(`tick #${i + 1} by ${t.identity} carries n=${t.n}`);
  });
  const holders: string[] = [];
  for (const t of ticks) {
    if (holders.at(-1) === t.identity) continue;
    if (holders.includes(t.identity)) problems.push(`${t.identity} ticked again after ${holders.at(-1)} took over (n=${t.n})`);
    holders.push(t.identity);
  }
  return { holders, problems };
}
