/**
 * A chart over time drawn with uPlot (loaded on first use, its own chunk, like
 * Cytoscape.js in Graph.tsx). The canvas is an image for assistive
 * technology: its label says what it shows, and a table beside it lists every
 * value with its unit. A chart with no value says so instead of an empty canvas.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ChartSeries {
  label: string;
  /** One value per point of `xs`; null where there is nothing to compute from. */
  values: Array<number | null>;
  colour: string;
}

export interface ChartProps {
  title: string;
  /** The unit of the y axis, e.g. "changes per day", "hours", "%". */
  unit: string;
  /** Bucket starts (Unix seconds, UTC). */
  xs: number[];
  /** What one point is, for the table's first column (e.g. the day or the week). */
  xLabel: (x: number) => string;
  series: ChartSeries[];
  /** Values as shown in the table and the hover legend, with the unit. */
  format: (v: number) => string;
  /** The y axis' tick labels (the unit is in the title); default: the number. */
  tick?: (v: number) => string;
  bars?: boolean;
  /** Shown instead of the canvas when no series has a value. */
  empty: string;
}

const plain = (v: number): string => String(Math.round(v * 100) / 100);

export function Chart(props: ChartProps): JSX.Element {
  const hasData = props.series.some((s) => s.values.some((v) => v !== null));
  const id = `chart-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section class="chart-box" aria-labelledby={id}>
      <h3 id={id}>
        {props.title} <span class="unit">({props.unit})</span>
      </h3>
      {hasData ? (
        <>
          <Canvas {...props} />
          <details class="values">
            <summary>Values of “{props.title}”</summary>
            <ValueTable {...props} />
          </details>
        </>
      ) : (
        <p class="empty">{props.empty}</p>
      )}
    </section>
  );
}

/** What the canvas shows, in words (its aria-label). */
export function describe(props: ChartProps): string {
  const parts = props.series.map((s) => {
    const known = s.values.filter((v): v is number => v !== null);
    if (!known.length) return `${s.label}: no value`;
    return `${s.label}: ${known.length} of ${s.values.length} points, lowest ${props.format(Math.min(...known))}, highest ${props.format(Math.max(...known))}`;
  });
  return `${props.title} (${props.unit}) over ${props.xs.length} ${props.xs.length === 1 ? 'bucket' : 'buckets'}. ${parts.join('; ')}. The values are in the table below.`;
}

function ValueTable(props: ChartProps): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="chart-values">
        <caption>
          {props.title} ({props.unit})
        </caption>
        <thead>
          <tr>
            <th scope="col">Bucket (UTC)</th>
            {props.series.map((s) => (
              <th scope="col" key={s.label}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.xs.map((x, i) => (
            <tr key={x}>
              <th scope="row">{props.xLabel(x)}</th>
              {props.series.map((s) => (
                <td key={s.label}>{s.values[i] === null ? 'no data' : props.format(s.values[i] as number)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Canvas(props: ChartProps): JSX.Element {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  const key = JSON.stringify([props.xs, props.series.map((s) => s.values), props.bars]);
  useEffect(() => {
    let destroyed = false;
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | undefined;
    let observer: ResizeObserver | undefined;
    const el = container.current;
    el?.setAttribute('data-drawn', 'no');
    import('uplot').then(
      ({ default: uPlot }) => {
        if (destroyed || !el) return;
        const size = () => ({ width: Math.max(200, el.clientWidth), height: 220 });
        const bars = uPlot.paths.bars?.({ size: [0.6, 60] });
        plot = new uPlot(
          {
            ...size(),
            tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
            scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
            axes: [{ stroke: '#57606a', grid: { stroke: '#eaeef2' } }, { stroke: '#57606a', grid: { stroke: '#eaeef2' }, size: 60, values: (_u, vals) => vals.map((v) => (props.tick ?? plain)(v)) }],
            series: [
              { value: (_u, v) => (v == null ? '' : props.xLabel(v)) },
              ...props.series.map((s) => ({
                label: s.label,
                stroke: s.colour,
                fill: props.bars ? `${s.colour}cc` : undefined,
                width: 2,
                spanGaps: false,
                paths: props.bars ? bars : undefined,
                points: { show: true, size: 6 },
                value: (_u: unknown, v: number | null) => (v == null ? '—' : props.format(v)),
              })),
            ],
          },
          [props.xs, ...props.series.map((s) => s.values)] as unknown as uPlot.AlignedData,
          el,
        );
        let width = size().width;
        observer = new ResizeObserver(() => {
          if (size().width === width) return;
          width = size().width;
          plot?.setSize(size());
        });
        observer.observe(el);
        el.setAttribute('data-drawn', 'yes');
      },
      (e: Error) => setError(`The chart could not be drawn: ${e.message}`),
    );
    return () => {
      destroyed = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [key]);
  return (
    <>
      {error ? <p role="alert">{error}</p> : null}
      <div class="chart" ref={container} role="img" aria-label={describe(props)} data-points={props.xs.length} />
    </>
  );
}
