/**
 * A graph drawn with Cytoscape.js (loaded on first use, its own chunk): nodes
 * coloured by criticality, laid out in rings by distance from the center or
 * in a line (a path). A click on a node opens its page. The canvas is an
 * image for assistive technology; every page shows the same as a table or list.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate } from '../router.tsx';
import { CRITICALITY_COLOURS } from './common.tsx';

export interface GraphNode {
  ref: string;
  label: string;
  criticality: string | null;
  /** Rings: 0 is the center. */
  distance: number;
}
export interface GraphEdge {
  source: string;
  target: string;
  label: string;
}

export function Graph(props: { nodes: GraphNode[]; edges: GraphEdge[]; layout: 'rings' | 'line'; label: string; href: (ref: string) => string }): JSX.Element {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  const key = `${props.layout}|${props.nodes.map((n) => n.ref).join(',')}|${props.edges.length}`;
  useEffect(() => {
    let destroyed = false;
    let cy: { destroy(): void } | undefined;
    container.current?.setAttribute('data-drawn', 'no');
    import('cytoscape').then(
      ({ default: cytoscape }) => {
        if (destroyed || !container.current) return;
        const maxDistance = Math.max(0, ...props.nodes.map((n) => n.distance));
        const instance = cytoscape({
          container: container.current,
          elements: [
            ...props.nodes.map((n, i) => ({
              data: { id: n.ref, label: n.label, distance: n.distance, colour: CRITICALITY_COLOURS[n.criticality ?? 'NONE'] ?? CRITICALITY_COLOURS.NONE, index: i },
              classes: n.distance === 0 ? 'center' : '',
            })),
            ...props.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, label: e.label } })),
          ],
          style: [
            { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(label)', 'font-size': 10, color: '#1f2328', 'text-valign': 'bottom', 'text-margin-y': 3, width: 14, height: 14 } },
            { selector: 'node.center', style: { width: 24, height: 24, 'border-width': 3, 'border-color': '#1f2328', 'font-weight': 'bold' } },
            { selector: 'edge', style: { width: 1, 'line-color': '#8c959f', 'target-arrow-color': '#8c959f', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.6 } },
          ],
          layout:
            props.layout === 'rings'
              ? { name: 'concentric', concentric: (n: { data(k: string): number }) => maxDistance - n.data('distance'), levelWidth: () => 1, minNodeSpacing: 12, animate: false }
              : { name: 'grid', rows: 1, animate: false },
          wheelSensitivity: 0.3,
        });
        instance.on('tap', 'node', (evt) => navigate(props.href(evt.target.id())));
        cy = instance;
        container.current.setAttribute('data-drawn', 'yes'); // the layout ran (not animated)
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
      <div class="graph" ref={container} role="img" aria-label={props.label} data-nodes={props.nodes.length} data-edges={props.edges.length} />
    </>
  );
}
