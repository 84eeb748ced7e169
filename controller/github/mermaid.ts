import { CRITICALITIES, type ChangeOp, type Criticality, type RefString } from '../../catalog/types.ts';
import type { ChangeReport } from '../report.ts';

export interface MermaidOptions {
  /** Most entities drawn (changed and impacted together); the rest are counted in an "and N more" node. Default 40. */
  maxNodes?: number;
  /** Most changed entities drawn. Default 15. */
  maxChanged?: number;
}

const rank = (c: Criticality | undefined): number => (c ? CRITICALITIES.indexOf(c) : CRITICALITIES.length);

/** `component:cartservice` for the default namespace, else the full ref. */
const short = (ref: RefString): string => ref.replace(/^([^:]+):default\//, '$1:');

/** Text inside a quoted Mermaid label. */
const label = (text: string): string => text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

/**
 * The blast radius as a Mermaid flowchart: the changed entities, and what
 * they reach, nearest and most critical first, each linked from the entity
 * it is reached through (its shortest path). At most `maxNodes` entities;
 * the rest are counted in one "and N more" node.
 */
export function blastRadiusMermaid(report: ChangeReport, options: MermaidOptions = {}): string {
  const maxNodes = options.maxNodes ?? 40;
  const maxChanged = Math.min(options.maxChanged ?? 15, maxNodes);
  const reached = new Set(report.impact.entities.map((e) => e.via[0]));
  const changed = [...report.changes].sort((a, b) => Number(reached.has(b.ref)) - Number(reached.has(a.ref)) || (a.ref < b.ref ? -1 : 1));
  const shownChanged = changed.slice(0, maxChanged);
  const impacted = [...report.impact.entities].sort((a, b) => a.distance - b.distance || rank(a.criticality) - rank(b.criticality) || (a.ref < b.ref ? -1 : 1));
  const shownImpacted = impacted.slice(0, Math.max(0, maxNodes - shownChanged.length));
  const ids = new Map<RefString, string>();
  const lines = ['flowchart LR'];
  const node = (ref: RefString, text: string, cls: string) => {
    const id = `n${ids.size}`;
    ids.set(ref, id);
    lines.push(`  ${id}["${label(text)}"]:::${cls}`);
  };
  for (const c of shownChanged) node(c.ref, `${short(c.ref)} (${c.op})`, changeClass(c.op));
  for (const e of shownImpacted) node(e.ref, `${short(e.ref)}${e.criticality ? ` · ${e.criticality}` : ''}`, e.criticality === 'critical' || e.criticality === 'high' ? e.criticality : 'impacted');
  for (const e of shownImpacted) {
    const from = ids.get(e.via[e.via.length - 1]);
    if (from) lines.push(`  ${from} --> ${ids.get(e.ref)}`);
  }
  const hidden = changed.length - shownChanged.length + impacted.length - shownImpacted.length;
  if (hidden > 0) lines.push(`  more["… and ${hidden} more"]:::more`);
  lines.push(
    '  classDef changed fill:#dbeafe,stroke:#1d4ed8,stroke-width:2px',
    '  classDef removed fill:#f3f4f6,stroke:#6b7280,stroke-dasharray:4 3',
    '  classDef critical fill:#fee2e2,stroke:#b91c1c',
    '  classDef high fill:#ffedd5,stroke:#c2410c',
    '  classDef impacted fill:#ffffff,stroke:#9ca3af',
  );
  if (hidden > 0) lines.push('  classDef more fill:#ffffff,stroke:#9ca3af,stroke-dasharray:2 2');
  return lines.join('\n');
}

const changeClass = (op: ChangeOp): string => (op === 'removed' ? 'removed' : 'changed');
