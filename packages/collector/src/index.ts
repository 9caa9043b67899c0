// @tracklane/collector: the Tracklane native collector, as a library (the CLI is tracklane-collector).
export { createCollector } from './internal/collector-server.js';
export type { Collector } from './internal/collector-server.js';
export type { CollectorLimits, CollectorOptions, WriteKeyConfig } from './internal/config.js';
export type { DedupWindowOptions } from './internal/dedup-window.js';
export type { RateLimit } from './internal/rate-limiter.js';
export { SchemaRegistry } from './internal/schema-registry.js';
export { createFileSink } from './internal/sinks/file-sink.js';
export type { FileSinkOptions } from './internal/sinks/file-sink.js';
export type { Sink, SinkRecord } from './internal/sinks/sink.js';
export { truncateIp } from './internal/client-ip.js';
