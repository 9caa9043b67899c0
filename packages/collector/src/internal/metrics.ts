import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The collector's Prometheus metrics, on a registry of its own (several collectors per process in tests). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tracklane_collector_' });
  return {
    registry,
    requests: new Counter({
      name: 'tracklane_collector_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    events: new Counter({
      name: 'tracklane_collector_events_total',
      help: 'Events by outcome (accepted, rejected, duplicate), schema and rejection reason',
      labelNames: ['outcome', 'schema', 'reason'] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'tracklane_collector_batch_size',
      help: 'Events per batch',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'tracklane_collector_request_duration_seconds',
      help: 'Time to answer a request',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    sinkWriteDuration: new Histogram({
      name: 'tracklane_collector_sink_write_duration_seconds',
      help: 'Time until a sink write was durable',
      labelNames: ['sink'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'tracklane_collector_auth_failures_total',
      help: 'Requests refused for their write key or origin, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'tracklane_collector_rate_limited_total',
      help: 'Requests answered 429, by the budget they exceeded (key or address)',
      labelNames: ['scope'] as const,
      registers: [registry],
    }),
    sinkErrors: new Counter({
      name: 'tracklane_collector_sink_errors_total',
      help: 'Failed sink writes',
      labelNames: ['sink'] as const,
      registers: [registry],
    }),
  };
}

export type CollectorMetrics = ReturnType<typeof createMetrics>;
