/**
 * The incident drawn (Cytoscape.js, loaded on first use): the root in the
 * center, what it impacts in rings by distance (edges along the shortest
 * path `impact` chose), the correlated entities (the others that signalled)
 * highlighted. Nodes coloured by criticality; a click opens the entity. The
 * drawing is an image with a text alternative; the lists beside it say the same.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useQuery } from '../graphql.ts';
import { entityHref, navigate } from '../router.tsx';
import { CRITICALITY_COLOURS } from './common.tsx';

const DRAWN = 100;
const IMPACT = `query IncidentImpact($refs: [String!]!, $depth: Int) { impact(refs: $refs, depth: $depth) { entities { ref via } } }`;

interface Props {
  incident: {
    rootRef: string | null;
    root: { criticality: string | null } | null;
    correlated: Array<{ ref: string; entity: { criticality: string | null } | null }>;
    impacted: Array<{ ref: string; distance: number; criticality: string | null }>;
  };
}

export function IncidentGraph({ incident }: Props): JSX.Element {
  const root = incident.rootRef!;
  const drawn = incident.impacted.slice(0, DRAWN);
  const depth = Math.max(1, ...drawn.map((e) => e.distance));
  // The predecessors (for the edges); without them the rings are still drawn.
  const paths = useQuery<{ impact: { entities: Array<{ ref: string; via: string[] }> } }>(IMPACT, { refs: [root], depth }, `${root}|${depth}`);
  const via = new Map((paths.data?.impact.entities ?? []).map((e) => [e.ref, e.via]));
  const correlated = new Set(incident.correlated.map((c) => c.ref));
  const nodes = [
    { ref: root, distance: 0, criticality: incident.root?.criticality ?? null },
    ...drawn,
    ...incident.correlated.filter((c) => !drawn.some((d) => d.ref === c.ref) && c.ref !== root).map((c) => ({ ref: c.ref, distance: 1, criticality: c.entity?.criticality ?? null })),
  ];
  const edges = nodes.slice(1).map((n) => ({ source: via.get(n.ref)?.at(-1) ?? root, target: n.ref }));
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  const key = `${nodes.map((n) => n.ref).join(',')}|${[...correlated].join(',')}|${paths.loading}`;
  useEffect(() => {
    if (paths.loading) return;
    let destroyed = false;
    let cy: { destroy(): void } | undefined;
    container.current?.setAttribute('data-drawn', 'no');
    import('cytoscape').then(
      ({ default: cytoscape }) => {
        if (destroyed || !container.current) return;
        const refs = new Set(nodes.map((n) => n.ref));
        const max = Math.max(0, ...nodes.map((n) => n.distance));
        const instance = cytoscape({
          container: container.current,
          elements: [
            ...nodes.map((n) => ({
              data: { id: n.ref, label: n.ref.split('/').pop(), distance: n.distance, colour: CRITICALITY_COLOURS[n.criticality ?? 'NONE'] ?? CRITICALITY_COLOURS.NONE },
              classes: n.ref === root ? 'root' : correlated.has(n.ref) ? 'correlated' : '',
            })),
            ...edges.filter((e) => refs.has(e.source)).map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target } })),
          ],
          style: [
            { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(label)', 'font-size': 10, color: '#1f2328', 'text-valign': 'bottom', 'text-margin-y': 3, width: 14, height: 14 } },
            { selector: 'node.root', style: { width: 26, height: 26, 'border-width': 3, 'border-color': '#1f2328', 'font-weight': 'bold' } },
            { selector: 'node.correlated', style: { width: 20, height: 20, 'border-width': 4, 'border-color': '#0550ae', 'font-weight': 'bold' } },
            { selector: 'edge', style: { width: 1, 'line-color': '#8c959f', 'target-arrow-color': '#8c959f', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.6 } },
          ],
          layout: { name: 'concentric', concentric: (n: { data(k: string): number }) => max - n.data('distance'), levelWidth: () => 1, minNodeSpacing: 14, animate: false },
          wheelSensitivity: 0.3,
        });
        instance.on('tap', 'node', (evt) => navigate(entityHref(evt.target.id())));
        cy = instance;
        container.current.setAttribute('data-drawn', 'yes');
      },
      (e: Error) => setError(`The graph could not be drawn: ${e.message}`),
    );
    return () => {
      destroyed = true;
      cy?.destroy();
    };
  }, [key]);
  return (
    <>
      {error ? <p role="alert">{error}</p> : null}
      <div
        class="graph incident-graph"
        ref={container}
        role="img"
        aria-label={`Incident graph: the root ${root} in the center, ${drawn.length} impacted entities in rings by distance, ${correlated.size} correlated entities highlighted with a blue ring; the lists below say the same.`}
        data-nodes={nodes.length}
        data-correlated={correlated.size}
      />
      <p class="legend">Black ring: the root. Blue ring: correlated (also signalled). Colour: criticality.</p>
    </>
  );
}
