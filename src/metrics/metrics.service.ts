import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { HistogramSeries, SeriesHistogram } from './series-histogram';

export interface RequestObservation {
  front: string;
  endpoint: string;
  model: string;
  provider: string;
  status: number;
  latencyMs: number;
  ttftMs: number | null;
  /** The gateway's own time: the request's duration minus its time waiting on upstreams. */
  overheadMs: number;
  stream: boolean;
  tokens: { input: number; output: number; cached: number; reasoning: number };
  /** Attempts that failed before the one that answered (or all of them). */
  failovers: number;
  costUsd: number;
}

const OVERHEAD_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Prometheus metrics for the gateway (one registry per app instance, served at GET /metrics). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'gateway_requests_total',
    help: 'Gateway requests by front door, endpoint, public model, provider and HTTP status',
    labelNames: ['front', 'endpoint', 'model', 'provider', 'status'] as const,
    registers: [this.registry],
    collect: () => this.flushCounts(),
  });
  private readonly duration = new SeriesHistogram({
    name: 'gateway_request_duration_seconds',
    help: 'Time from request start to the end of the response',
    labelNames: ['front', 'model', 'provider', 'stream'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly ttft = new SeriesHistogram({
    name: 'gateway_time_to_first_token_seconds',
    help: 'Time from request start to the first streamed byte (or the whole response)',
    labelNames: ['model', 'provider'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  /** Fine buckets around issue 9's targets (added p50 ≤ 0.5 ms, p99 ≤ 2 ms). */
  private readonly overhead = new SeriesHistogram({
    name: 'gateway_overhead_seconds',
    help: "The gateway's own time per request: its duration minus the time spent waiting on upstreams (for a stream: until the relay ended)",
    buckets: OVERHEAD_BUCKETS,
    registers: [this.registry],
  }).series();
  private readonly tokens = new Counter({
    name: 'gateway_tokens_total',
    help: 'Tokens by model, provider and kind (input, output, cached, reasoning)',
    labelNames: ['model', 'provider', 'kind'] as const,
    registers: [this.registry],
    collect: () => this.flushCounts(),
  });
  private readonly failovers = new Counter({
    name: 'gateway_failovers_total',
    help: 'Upstream attempts that failed and moved on to another candidate',
    labelNames: ['model'] as const,
    registers: [this.registry],
    collect: () => this.flushCounts(),
  });
  private readonly cost = new Counter({
    name: 'gateway_cost_usd_total',
    help: 'Cost of gateway requests in USD (price table) by model and provider',
    labelNames: ['model', 'provider'] as const,
    registers: [this.registry],
    collect: () => this.flushCounts(),
  });
  readonly logBuffer = new Gauge({
    name: 'gateway_log_buffer_rows',
    help: 'Request log rows waiting to be written',
    registers: [this.registry],
  });
  /** Rows waiting in the batch writers, and rows dropped because a buffer overflowed (long database outage). */
  readonly writerBuffer = new Gauge({
    name: 'gateway_writer_buffer_rows',
    help: 'Rows waiting in a batch writer (request_logs: each log row carries its usage-ledger row)',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly writerDropped = new Gauge({
    name: 'gateway_writer_dropped_rows',
    help: 'Rows a batch writer dropped because its buffer overflowed, since start',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly writerFailedWrites = new Gauge({
    name: 'gateway_writer_failed_writes',
    help: 'Batch writes that failed (the rows were kept and retried), since start',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly writerFailing = new Gauge({
    name: 'gateway_writer_failing_seconds',
    help: 'How long a batch writer has been failing to write (0 when its last write succeeded)',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly unhealthyTargets = new Gauge({
    name: 'gateway_breaker_open_targets',
    help: 'Provider keys (or keyless providers) that health took out of the rotation',
    registers: [this.registry],
  });
  readonly coolingTargets = new Gauge({
    name: 'gateway_cooling_targets',
    help: 'Route and key pairs in a failover cooldown',
    registers: [this.registry],
  });
  readonly alertQueue = new Gauge({
    name: 'gateway_alert_deliveries_pending',
    help: 'Alert deliveries not yet sent or given up',
    registers: [this.registry],
  });
  readonly upstreamConnections = new Gauge({
    name: 'gateway_upstream_connections',
    help:
      'Upstream connection pools by origin and proxy (empty: direct): connections open (connected) and idle ' +
      '(free), calls in progress (running) and calls waiting for a connection (queued; only under ' +
      'UPSTREAM_MAX_CONNECTIONS)',
    labelNames: ['origin', 'proxy', 'state'] as const,
    registers: [this.registry],
  });
  readonly dbPool = new Gauge({
    name: 'gateway_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting clients)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Counts by series since the last scrape. A prom-client `inc` builds and hashes its label set on
   * every call (~0.5 µs each, four to six per request); summing here under one cheap key and handing
   * the sums over when a scrape collects the counters costs a fraction of that. Each entry also
   * holds its histogram series' handles (SeriesHistogram), observed without a label lookup.
   */
  private pending = new Map<string, PendingCounts>();

  observe(o: RequestObservation): void {
    const model = o.model || '(none)';
    const provider = o.provider || '(none)';
    const key = `${o.front}\n${o.endpoint}\n${model}\n${provider}\n${o.status}\n${o.stream}`;
    let p = this.pending.get(key);
    if (!p) {
      p = {
        labels: { front: o.front, endpoint: o.endpoint, model, provider, status: String(o.status) },
        duration: this.duration.series({ front: o.front, model, provider, stream: String(o.stream) }),
        ttft: this.ttft.series({ model, provider }),
        requests: 0,
        failovers: 0,
        costUsd: 0,
        input: 0,
        output: 0,
        cached: 0,
        reasoning: 0,
      };
      this.pending.set(key, p);
    }
    p.requests++;
    p.failovers += o.failovers;
    p.costUsd += o.costUsd;
    p.input += o.tokens.input;
    p.output += o.tokens.output;
    p.cached += o.tokens.cached;
    p.reasoning += o.tokens.reasoning;
    p.duration.observe(o.latencyMs / 1000);
    if (o.ttftMs !== null) p.ttft.observe(o.ttftMs / 1000);
    this.overhead.observe(o.overheadMs / 1000);
  }

  /** Hands the counts summed since the last scrape to the prom-client counters (their `collect`). */
  private flushCounts(): void {
    if (!this.pending.size) return;
    const pending = this.pending;
    this.pending = new Map();
    for (const p of pending.values()) {
      const { model, provider } = p.labels;
      this.requests.inc(p.labels, p.requests);
      if (p.failovers) this.failovers.inc({ model }, p.failovers);
      if (p.costUsd) this.cost.inc({ model, provider }, p.costUsd);
      for (const kind of TOKEN_KINDS) if (p[kind]) this.tokens.inc({ model, provider, kind }, p[kind]);
    }
  }
}

const TOKEN_KINDS = ['input', 'output', 'cached', 'reasoning'] as const;

/** One series' counts since the last scrape (see `MetricsService.observe`). */
interface PendingCounts {
  labels: { front: string; endpoint: string; model: string; provider: string; status: string };
  duration: HistogramSeries;
  ttft: HistogramSeries;
  requests: number;
  failovers: number;
  costUsd: number;
  input: number;
  output: number;
  cached: number;
  reasoning: number;
}
