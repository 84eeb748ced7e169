import type { Signal } from '../../../state/IncidentRecords.ts';
import type { SignalReport } from '../../types.ts';
import type { EngineDraft } from '../EngineDraft.ts';
import type { EngineStep } from '../EngineStep.ts';

type Fired = Extract<SignalReport, { type: 'fire' }>['signal'];

/**
 * Adds what sources report about signals: `fire` creates or updates the
 * signal (firstSeen kept, lastSeen updated, firing), `clear` marks it cleared,
 * `sync` fires the listed signals of a source and clears its other firing
 * ones. A signal of an unresolved incident firing again or clearing goes on
 * the incident's timeline and sets or removes its `clearSince`.
 */
export const recordStep: EngineStep = {
  name: 'record',
  run(draft) {
    const input = draft.input;
    if (input.type === 'fire') fire(draft, input.signal);
    else if (input.type === 'clear') clear(draft, input.fingerprint);
    else if (input.type === 'sync') {
      const listed = new Set(input.signals.map((s) => s.fingerprint));
      for (const s of input.signals) fire(draft, s);
      const all = draft.allSignals().sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
      for (const s of all) if (s.source === input.source && s.state === 'firing' && !listed.has(s.fingerprint)) clear(draft, s.fingerprint);
    }
  },
};

function fire(draft: EngineDraft, reported: Fired): void {
  const before = draft.signal(reported.fingerprint);
  const again = before?.state !== 'firing';
  const signal: Signal = {
    ...(before ?? {}),
    fingerprint: reported.fingerprint,
    source: reported.source,
    kind: reported.kind,
    message: reported.message,
    firstSeen: before?.firstSeen ?? draft.at,
    lastSeen: before && before.lastSeen > draft.at ? before.lastSeen : draft.at,
    state: 'firing',
  };
  for (const key of ['ref', 'field', 'labels'] as const) {
    if (reported[key] !== undefined) (signal as unknown as Record<string, unknown>)[key] = reported[key];
    else delete signal[key];
  }
  delete signal.clearedAt;
  draft.putSignal(signal);
  if (!again) return;
  draft.fired.add(signal.fingerprint);
  const incident = signal.incident ? draft.incident(signal.incident) : undefined;
  if (incident && incident.state !== 'resolved') {
    const writable = draft.incidentForWrite(incident.id);
    delete writable.clearSince;
    writable.timeline.push(draft.entry('signal', `${signal.ref ?? 'alert'} fires again: ${signal.message}`));
  }
}

function clear(draft: EngineDraft, fingerprint: string): void {
  const before = draft.signal(fingerprint);
  if (!before || before.state !== 'firing') return;
  draft.clearedNow.set(fingerprint, before);
  draft.putSignal({ ...before, state: 'cleared', clearedAt: draft.at });
  const incident = before.incident ? draft.incident(before.incident) : undefined;
  if (!incident || incident.state === 'resolved') return;
  const writable = draft.incidentForWrite(incident.id);
  writable.timeline.push(draft.entry('signal-cleared', `${before.ref ?? 'alert'} cleared: ${before.message}`));
  refreshClearSince(draft, writable);
}

/** Sets `clearSince` when every signal of the incident is cleared (keeping an earlier one), removes it otherwise. */
export function refreshClearSince(draft: EngineDraft, incident: { signals: string[]; clearSince?: string }): void {
  const allClear = incident.signals.every((fp) => draft.signal(fp)?.state !== 'firing');
  if (!allClear) delete incident.clearSince;
  else if (!incident.clearSince) incident.clearSince = draft.at;
}
