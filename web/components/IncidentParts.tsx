/** Small pieces of the incident pages: the state and severity badges, the subscription they listen to, the severities in order. */
import type { JSX } from 'preact';
import { Criticality } from './common.tsx';

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export const severityRank = (s: string): number => {
  const i = SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
  return i < 0 ? SEVERITIES.length : i;
};

/** Every change of any incident (or of one with `id`): the pages re-read by query on each. */
export const INCIDENT_CHANGED = `subscription IncidentChanged($id: ID) { incidentChanged(id: $id) { id revision } }`;

export function IncidentState({ state }: { state: string }): JSX.Element {
  return <span class={`incident-state state-${state.toLowerCase()}`}>{state.toLowerCase()}</span>;
}

export function Severity({ value }: { value: string }): JSX.Element {
  return <Criticality value={value} />;
}

/** "live" while the subscription is open, so a reader knows the list updates by itself. */
export function LiveNote({ live }: { live: boolean }): JSX.Element {
  return (
    <p class="hint" data-live={live ? 'yes' : 'no'}>
      {live ? 'Updates live.' : 'Not updating live (reconnecting).'}
    </p>
  );
}

export const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
