import type { RefString } from '../../../core/types.ts';
import type { Incident, Signal } from '../../../state/IncidentRecords.ts';
import { correlate, type CorrelationCandidate } from '../../correlate.ts';
import { CRITICALITIES, type Criticality } from '../../../core/types.ts';
import type { EngineDraft } from '../EngineDraft.ts';
import type { EngineContext, EngineStep } from '../EngineStep.ts';
import { dueAt, isPending, titleOf } from '../signalRules.ts';
import { refreshClearSince } from './record.ts';

/**
 * Adds incidents for signals that have lasted `for` by this input's time
 * (including one this input cleared after it lasted `for`), in the order
 * they started firing: each joins, re-roots or merges unresolved incidents
 * (incidents/correlate.ts) or opens a new one. An alert without an entity
 * opens its own incident, root null.
 */
export const openStep: EngineStep = {
  name: 'open',
  async run(draft, context) {
    const forMs = draft.settings.forMs;
    const due: Signal[] = [];
    for (const s of draft.allSignals()) {
      const before = draft.clearedNow.get(s.fingerprint);
      const candidate = before ?? s;
      if (isPending(candidate, (id) => draft.incident(id)) && dueAt(candidate, forMs) <= draft.atMs) due.push(s);
    }
    due.sort((a, b) => (a.firstSeen !== b.firstSeen ? (a.firstSeen < b.firstSeen ? -1 : 1) : a.fingerprint < b.fingerprint ? -1 : 1));
    for (const signal of due) await place(draft, context, signal);
  },
};

async function place(draft: EngineDraft, context: EngineContext, signal: Signal): Promise<void> {
  if (signal.ref === undefined) return void openIncident(draft, signal, null);
  const e = signal.ref;
  const candidates = await candidatesFor(draft, context);
  const placed = correlate(e, candidates);
  if (placed.type === 'new') return void openIncident(draft, signal, e);
  const survivor = draft.incidentForWrite(placed.incident);
  for (const id of placed.merged) mergeInto(draft, survivor, id);
  if (survivor.root !== placed.root) setRoot(draft, survivor, placed.root, signal);
  attach(draft, survivor, signal);
}

/** Unresolved incidents with a root whose latest signal is within the correlation window (a firing signal is seen now). */
async function candidatesFor(draft: EngineDraft, context: EngineContext): Promise<CorrelationCandidate[]> {
  const from = draft.atMs - draft.settings.correlation.windowMs;
  const found: CorrelationCandidate[] = [];
  for (const incident of draft.unresolved()) {
    if (incident.root === null || latestSignalMs(draft, incident) < from) continue;
    found.push({ id: incident.id, openedAt: incident.openedAt, root: incident.root, correlated: incident.correlated, topology: await context.topology.of(incident.root, draft.settings.correlation.depth) });
  }
  return found;
}

function latestSignalMs(draft: EngineDraft, incident: Incident): number {
  let latest = Date.parse(incident.openedAt);
  for (const fp of incident.signals) {
    const s = draft.signal(fp);
    if (!s) continue;
    if (s.state === 'firing') return draft.atMs;
    latest = Math.max(latest, Date.parse(s.clearedAt ?? s.lastSeen));
  }
  return latest;
}

function openIncident(draft: EngineDraft, signal: Signal, root: RefString | null): void {
  const severity = root === null ? alertSeverity(signal) : 'low';
  const incident = draft.newIncident({
    state: 'open',
    title: titleOf(root, signal),
    severity,
    root,
    signals: [],
    correlated: [],
    impacted: [],
    impactedCount: 0,
    probableCauses: [],
    runbooks: [],
    openedAt: draft.at,
    ...(draft.commit !== undefined && root !== null ? { commit: draft.commit } : {}),
  });
  incident.timeline.push(draft.entry('opened', `opened: ${signal.ref ?? 'alert'} ${signal.kind} for ${draft.settings.forMs / 1000}s: ${signal.message}`));
  attach(draft, incident, signal, false);
}

/** An unmapped alert's severity: its `severity` label when it names a criticality, else low. */
function alertSeverity(signal: Signal): Criticality {
  const label = signal.labels?.severity?.toLowerCase();
  return CRITICALITIES.includes(label as Criticality) ? (label as Criticality) : 'low';
}

function attach(draft: EngineDraft, incident: Incident, signal: Signal, onTimeline = true): void {
  if (!incident.signals.includes(signal.fingerprint)) incident.signals.push(signal.fingerprint);
  draft.putSignal({ ...draft.signal(signal.fingerprint)!, incident: incident.id });
  const e = signal.ref;
  if (e !== undefined && e !== incident.root && !incident.correlated.includes(e)) {
    incident.correlated.push(e);
    draft.topologyChanged.add(incident.id);
    if (onTimeline) incident.timeline.push(draft.entry('correlated', `${e} correlated: ${signal.kind}: ${signal.message}`));
  } else if (onTimeline) incident.timeline.push(draft.entry('signal', `${e ?? 'alert'} ${signal.kind}: ${signal.message}`));
  refreshClearSince(draft, incident);
}

function setRoot(draft: EngineDraft, incident: Incident, root: RefString, signal: Signal): void {
  const old = incident.root;
  incident.root = root;
  incident.correlated = incident.correlated.filter((r) => r !== root);
  if (old !== null && !incident.correlated.includes(old)) incident.correlated.push(old);
  const own = incident.signals.map((fp) => draft.signal(fp)).find((s) => s?.ref === root);
  incident.title = titleOf(root, own ?? signal);
  if (draft.commit !== undefined) incident.commit = draft.commit;
  incident.timeline.push(draft.entry('new-root', `new root ${root} (${old ?? 'none'} depends on it)`));
  draft.rootChanged.add(incident.id);
  draft.topologyChanged.add(incident.id);
}

function mergeInto(draft: EngineDraft, survivor: Incident, id: string): void {
  const merged = draft.incidentForWrite(id, 'resolved');
  merged.state = 'resolved';
  merged.resolvedAt = draft.at;
  delete merged.clearSince;
  merged.timeline.push(draft.entry('merged', `merged into ${survivor.id}`));
  survivor.timeline.push(draft.entry('merged', `${id} merged into this incident (root ${merged.root})`));
  for (const fp of merged.signals) {
    if (!survivor.signals.includes(fp)) survivor.signals.push(fp);
    const s = draft.signal(fp);
    if (s) draft.putSignal({ ...s, incident: survivor.id });
  }
  for (const ref of [merged.root, ...merged.correlated]) if (ref !== null && ref !== survivor.root && !survivor.correlated.includes(ref)) survivor.correlated.push(ref);
  draft.topologyChanged.add(survivor.id);
}
