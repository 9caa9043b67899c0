// @tracklane/core: the isomorphic heart of Tracklane. Browser and Node trackers build on it.
export { createTracker } from './internal/tracker.js';
export type { TrackerRuntime } from './internal/tracker.js';
export { DropReason } from './internal/tracker-types.js';
export type {
  ConsentOptions,
  DestinationStats,
  EntityInput,
  FlushOptions,
  MemoryStoreLimits,
  ShutdownOptions,
  TrackOptions,
  Tracker,
  TrackerHooks,
  TrackerLike,
  TrackerOptions,
  TrackerPlugin,
  TrackerStats,
  SchemaRules,
  TrackingPlan,
} from './internal/tracker-types.js';
export type {
  CollectorBatch,
  ConsentSnapshot,
  ConsentState,
  Envelope,
  EnvelopeApp,
  EnvelopeDevice,
  EnvelopePage,
  EnvelopeTimestamps,
  EnvelopeTracker,
  EnvelopeUser,
  Platform,
  SelfDescribing,
} from './internal/envelope.js';
export { collectorDestination, interpretCollectorResponse } from './internal/collector-destination.js';
export { destinationEndpoint } from './internal/destination-url.js';
export type { CollectorDestinationOptions } from './internal/collector-destination.js';
export type {
  BatchLimits,
  Destination,
  HttpClient,
  HttpRequest,
  HttpResponse,
  PlatformServices,
  SendOptions,
  Transport,
  TransportResult,
} from './internal/transport.js';
export { selectBatch } from './internal/store.js';
export type { AddResult, EventStore, EventStoreFactory, PeekOptions, StoredEvent } from './internal/store.js';
export { MemoryStore } from './internal/memory-store.js';
export type { MemoryStoreOptions } from './internal/memory-store.js';
export { DEFAULT_RETRY_POLICY, isRetryableStatus, nextRetryDelay, parseRetryAfter } from './internal/retry-policy.js';
export type { RetryPolicy } from './internal/retry-policy.js';
export { REDACTED, applyPii } from './internal/pii.js';
export type { PiiAction, PiiRules } from './internal/pii.js';
export { sha256Hex } from './internal/sha256.js';
export { NECESSARY_PURPOSE, consentStateOf } from './internal/consent.js';
export { TracklaneError, TracklaneErrorCode, isTracklaneError } from './internal/errors.js';
export { isSchemaUri, parseSchemaUri } from './internal/schema-uri.js';
export type { SchemaKey } from './internal/schema-uri.js';
export { utf8Length } from './internal/utf8.js';
export { isDateTime } from './internal/formats/date-time.js';
export { jsonEqual } from './internal/json-equal.js';
export {
  isByte,
  isDate,
  isDuration,
  isEmail,
  isHostname,
  isInt32,
  isInt64,
  isIpv4,
  isIpv6,
  isIsoDateTime,
  isIsoTime,
  isJsonPointer,
  isJsonPointerUriFragment,
  isRegex,
  isRelativeJsonPointer,
  isTime,
  isUri,
  isUriReference,
  isUriTemplate,
  isUrl,
  isUuid,
} from './internal/formats/json-schema-formats.js';
