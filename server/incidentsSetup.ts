import type { Logger } from 'pino';
import type { CatalogConfig } from '../catalog/config.ts';
import type { Snapshot } from '../catalog/types.ts';
import type { GitReader } from '../catalog/git/GitReader.ts';
import { readRunbooks, type RunbookIndex } from '../catalog/runbooks.ts';
import type { EventBus } from '../core/EventBus.ts';
import type { RefString } from '../core/types.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import { parseIncidentSettings } from '../incidents/config.ts';
import { IncidentEngine } from '../incidents/engine/IncidentEngine.ts';
import { NotificationSender, notifiersFor, type Notifier } from '../incidents/notify/index.ts';
import { snapshotRefResolver } from '../incidents/refResolver.ts';
import { signalsOfFindingChange, syncOfFindings } from '../incidents/signals.ts';
import { DEFAULT_INCIDENT_SETTINGS, type IncidentSettings, type RefResolver } from '../incidents/types.ts';
import type { ChangeStore } from '../state/ChangeStore.ts';
import type { FindingStore } from '../state/FindingStore.ts';
import { IncidentCommandInbox } from '../state/IncidentCommandInbox.ts';
import type { IncidentStore } from '../state/IncidentStore.ts';
import { acquireIncidentLock } from '../state/IncidentStoreLock.ts';
import { openIncidentStore } from '../state/openIncidentStore.ts';
import { AlertmanagerPart, ALERTMANAGER_TOKEN_ENV } from './AlertmanagerPart.ts';
import type { ServerConfig } from './config.ts';
import type { GitHubPart } from './GitHubPart.ts';
import { IncidentPart } from './IncidentPart.ts';
import { perCommit } from './perCommit.ts';
import type { LeadershipPart } from './LeadershipPart.ts';
import type { ServerMetrics } from './metrics.ts';

export interface IncidentsSetupOptions {
  config: ServerConfig;
  env: NodeJS.ProcessEnv;
  events: EventBus;
  log: Logger;
  metrics: ServerMetrics;
  leadership: LeadershipPart;
  graph: GraphStore;
  /** The served commit and its cmdb.yaml. */
  snapshot: () => Snapshot | undefined;
  configOf: (snapshot: Snapshot) => CatalogConfig;
  /** The reconcilers' findings (their signals). */
  findings?: FindingStore;
  /** Change records: the GitHub controller's merged pull requests, or the followed branch's moves. */
  changes: Pick<ChangeStore, 'changes'>;
  /** The followed repository (runbooks are read from its commits). */
  git?: GitReader;
  github?: GitHubPart;
}

/** What `startRuntime` keeps of incident management. */
export interface Incidents {
  store: IncidentStore;
  engine: IncidentEngine;
  part: IncidentPart;
  alertmanager: AlertmanagerPart;
  close(): Promise<void>;
}

/**
 * Builds incident management (`cmdb serve --reconcile`): the incident store
 * (Neo4j when configured, else `incidents.jsonl` in the state dir), the
 * engine on the served graph and change records, the notification sender on
 * the notifiers of the served `cmdb.yaml`, the command inbox the CLI writes,
 * the part that feeds the engine on the leader, and Alertmanager's route.
 */
export async function startIncidents(options: IncidentsSetupOptions): Promise<Incidents> {
  const { config, env, events, log, metrics, leadership, snapshot, configOf } = options;
  const store = await openIncidentStore({ dir: config.stateDir, neo4j: config.neo4j });
  await store.open();
  // The file store holds the state dir's lock itself; with Neo4j the lock still tells the CLI a server applies its commands.
  const lock = config.neo4j ? await acquireIncidentLock(config.stateDir) : undefined;
  const settings = perCommit<IncidentSettings>(snapshot, (s) => parseIncidentSettings(configOf(s)).settings, DEFAULT_INCIDENT_SETTINGS);
  const resolveRef = perCommit<RefResolver | undefined>(snapshot, (s) => snapshotRefResolver(s), undefined);
  const childLog = log.child({ component: 'incidents' });

  // The notifiers of the served cmdb.yaml: the map the sender reads is brought up to date when the commit moves.
  const notifiers = new Map<string, Notifier>();
  const github = options.github && config.github?.repo ? { api: options.github.api, repo: repoRef(config.github.repo) } : undefined;
  const notifiersOfCommit = perCommit(snapshot, (s) => notifiersFor(settings().notify, { env, log: childLog, github }), new Map<string, Notifier>());
  let shown: Map<string, Notifier> | undefined;
  const refreshNotifiers = () => {
    const fresh = notifiersOfCommit();
    if (fresh === shown) return;
    shown = fresh;
    notifiers.clear();
    for (const [target, notifier] of fresh) notifiers.set(target, notifier);
  };
  refreshNotifiers();
  events.subscribe('catalogMoved', () => refreshNotifiers());

  // The runbook index of the served commit, read when the commit moves (the engine asks for it synchronously).
  let runbooks: RunbookIndex | undefined;
  const refreshRunbooks = async () => {
    const s = snapshot();
    if (!options.git || !s || runbooks?.commit === s.commit) return;
    try {
      runbooks = await readRunbooks(options.git, s.commit, s);
    } catch (err) {
      childLog.warn({ err, commit: s.commit }, 'cannot read the runbooks of the served commit');
    }
  };
  await refreshRunbooks();
  events.subscribe('catalogMoved', () => refreshRunbooks());

  const engine = new IncidentEngine({
    store,
    graph: options.graph,
    changes: options.changes,
    settings,
    runbooks: (refs: readonly RefString[]) => runbooks?.forRefs(refs) ?? [],
    events,
    notifyTargets: () => [...notifiers.keys()],
    log: childLog,
  });
  const sender = new NotificationSender({ store, notifiers, log: childLog.child({ component: 'notify' }), metrics, mayDeliver: () => leadership.isLeader() });
  const inbox = new IncidentCommandInbox({ dir: config.stateDir });
  const findings = options.findings;
  const part = new IncidentPart({
    store,
    engine,
    findings,
    signals: {
      ofChange: (change, at) => signalsOfFindingChange(change, at, findings?.current()),
      ofCurrent: (current, at) => syncOfFindings(current, at),
    },
    pendingCommands: () => inbox.pending(store),
    sender,
    events,
    leadership,
    metrics,
    log: childLog,
    followerReloadMs: config.followerReloadSeconds * 1000,
  });
  const token = env[ALERTMANAGER_TOKEN_ENV]?.trim() || undefined;
  const alertmanager = new AlertmanagerPart({ token, submit: (reports) => part.submit(reports), isLeader: () => leadership.isLeader(), resolveRef, settings, log: childLog.child({ component: 'alertmanager' }), metrics });
  const close = async () => {
    await part.close();
    await store.close();
    await lock?.release();
  };
  return { store, engine, part, alertmanager, close };
}

function repoRef(repo: string): { owner: string; name: string } {
  const [owner, name] = repo.split('/');
  return { owner, name };
}
