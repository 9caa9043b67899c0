// @tracklane/collector: the Tracklane native collector, as a library (the CLI is tracklane-collector).
export { createCollector } from './internal/collector-server.js';
export type { Collector } from './internal/collector-server.js';
export type { CollectorLimits, CollectorOptions, MetricsOptions, WriteKeyConfig } from './internal/config.js';
export type { DedupWindowOptions } from './internal/dedup-window.js';
export type { RateBucket, RateLimit } from './internal/rate-limiter.js';
export { CollectorError, CollectorErrorCode } from './internal/errors.js';
export { SchemaRegistry } from './internal/schema-registry.js';
export type { SchemaAddedListener } from './internal/schema-registry.js';
export { createFileSink } from './internal/sinks/file-sink.js';
export type { FileSinkOptions } from './internal/sinks/file-sink.js';
// The Kafka client (@platformatic/kafka) is imported inside createKafkaSink, only when it is called.
export { createKafkaSink } from './internal/sinks/kafka-sink.js';
export type { KafkaSink, KafkaSinkOptions } from './internal/sinks/kafka-sink.js';
export type { RecentIds, Sink, SinkRecord } from './internal/sinks/sink.js';
export { truncateIp } from './internal/client-ip.js';
export { replayRawStore } from './internal/replay.js';
export type { BatchOutcome, RefusedPath, ReplayOptions, ReplaySummary, StoredGoodRecord } from './internal/replay.js';
export { collectorSender } from './internal/replay-sender.js';
export type { CollectorSenderOptions } from './internal/replay-sender.js';
