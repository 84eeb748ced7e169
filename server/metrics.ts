import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventBus } from '../core/EventBus.ts';
import type { CmdbEvent } from '../core/events.ts';
import type { RequestObserver, Route, RouteProvider } from './router.ts';

export const METRICS_PATH = '/metrics';

/** What a pipeline step reports when it ends (`EvaluationContext.onStep`). */
export interface StepTiming {
  step: string;
  ms: number;
  error?: unknown;
}


/**
 * The process's metrics in a registry of its own (several servers in one
 * process, as in tests, do not mix): Node's default process metrics; HTTP
 * requests by route, method and status; evaluations by decision; catalog
 * sync durations and commit lag; webhook deliveries by outcome; queue depth;
 * evaluation step durations. Served at /metrics in the Prometheus text format.
 */
export class ServerMetrics implements RouteProvider {
  readonly registry = new Registry();
  readonly routes: readonly Route[];
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly requestSeconds: Histogram<'route' | 'method'>;
  private readonly evaluations: Counter<'decision'>;
  private readonly records: Counter<'decision'>;
  private readonly deliveries: Counter<'outcome'>;
  private readonly deliverySeconds: Histogram<'outcome'>;
  private readonly syncSeconds: Histogram<'mode'>;
  private readonly catalogViolations: Gauge;
  private readonly catalogEntities: Gauge;
  private readonly stepSeconds: Histogram<'step' | 'outcome'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'cmdb_http_requests_total', help: 'HTTP requests answered, by route (the declared path; unmatched for 404s), method and status.', labelNames: ['route', 'method', 'status'], registers });
    this.requestSeconds = new Histogram({ name: 'cmdb_http_request_duration_seconds', help: 'Time to answer an HTTP request, by route and method.', labelNames: ['route', 'method'], registers });
    this.evaluations = new Counter({ name: 'cmdb_evaluations_total', help: 'Pull requests evaluated and reported, by decision.', labelNames: ['decision'], registers });
    this.records = new Counter({ name: 'cmdb_change_records_total', help: 'Merged changes recorded, by decision.', labelNames: ['decision'], registers });
    this.deliveries = new Counter({ name: 'cmdb_webhook_deliveries_total', help: 'Webhook deliveries processed, by outcome (evaluated, recorded, ignored, superseded, failed).', labelNames: ['outcome'], registers });
    this.deliverySeconds = new Histogram({ name: 'cmdb_webhook_delivery_duration_seconds', help: 'Time to process a webhook delivery, by outcome.', labelNames: ['outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers });
    this.syncSeconds = new Histogram({ name: 'cmdb_catalog_sync_duration_seconds', help: 'Time to bring the graph store to a new commit, by mode (rebuild, incremental).', labelNames: ['mode'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers });
    this.catalogViolations = new Gauge({ name: 'cmdb_catalog_violations', help: 'Violations of the served commit (its valid part is served).', registers });
    this.catalogEntities = new Gauge({ name: 'cmdb_catalog_entities', help: 'Entities of the served commit.', registers });
    this.stepSeconds = new Histogram({ name: 'cmdb_evaluation_step_seconds', help: 'Time of each change evaluation step, by step and outcome (ok, error).', labelNames: ['step', 'outcome'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10], registers });
    this.routes = [
      {
        methods: ['GET'],
        path: METRICS_PATH,
        description: 'Prometheus metrics',
        handler: async (_req, res) => {
          const text = await this.registry.metrics();
          res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
      },
    ];
  }

  /**
   * A gauge read at each scrape, declared by the part that knows the value
   * when it is built (the GitHub part its queue depth, the follower its lag).
   */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A gauge with labels, read at each scrape: one sample per entry `read` returns (series absent from it are dropped). */
  labelledGauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: () => Array<{ labels: Record<L, string>; value: number }>): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { labels, value } of read()) this.set(labels as Partial<Record<L, string>>, value);
      },
    });
  }

  /** A counter declared by the part that counts (the reconcilers' passes by outcome). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): { inc(labels: Record<L, string>): void } {
    const counter = new Counter<L>({ name, help, labelNames, registers: [this.registry] });
    return { inc: (labels) => counter.inc(labels as Partial<Record<L, string>>) };
  }

  /** A histogram declared by the part that observes (the reconcilers' step durations). */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): { observe(labels: Record<L, string>, value: number): void } {
    const histogram = new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
    return { observe: (labels, value) => histogram.observe(labels as Partial<Record<L, string>>, value) };
  }

  /** For the router: counts and times each answered request. */
  readonly observeRequest: RequestObserver = ({ route, method, status, seconds }) => {
    this.requests.inc({ route, method, status: String(status) });
    this.requestSeconds.observe({ route, method }, seconds);
  };

  /** Counts what the bus reports (but the events `skip` says are another replica's); returns the unsubscribe function. */
  observe(bus: EventBus, skip: (event: CmdbEvent) => boolean = () => false): () => void {
    return bus.subscribeAll((e) => {
      if (skip(e)) return undefined;
      switch (e.type) {
        case 'changeEvaluated':
          return void this.evaluations.inc({ decision: e.data.decision });
        case 'changeRecorded':
          return void this.records.inc({ decision: e.data.decision });
        case 'deliveryProcessed':
          this.deliveries.inc({ outcome: e.data.outcome });
          return void this.deliverySeconds.observe({ outcome: e.data.outcome }, e.data.seconds);
        case 'catalogMoved':
          if (e.data.mode !== 'unchanged') this.syncSeconds.observe({ mode: e.data.mode }, e.data.seconds);
          this.catalogViolations.set(e.data.violations);
          return void this.catalogEntities.set(e.data.entities);
        default:
          return undefined;
      }
    });
  }

  /** An `onStep` observer for change evaluations: each step's time into `cmdb_evaluation_step_seconds{step}`. */
  stepObserver(): (timing: StepTiming) => void {
    return ({ step, ms, error }) => this.stepSeconds.observe({ step, outcome: error === undefined ? 'ok' : 'error' }, ms / 1000);
  }
}
