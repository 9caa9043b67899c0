import type { ConsentSnapshot, ConsentState, Envelope, EnvelopeUser, Platform, SelfDescribing } from './envelope.js';
import type { PiiRules } from './pii.js';
import type { EventStoreFactory } from './store.js';
import type { Destination } from './transport.js';
import type { RetryPolicy } from './retry-policy.js';

/** Why an event was not delivered. Every drop is counted under one of these. */
export const DropReason = {
  /**
   * Non-object data or a malformed schema URI (at `track()`); or an event that threw on its way to
   * the store (a cycle, a BigInt, a getter, `toJSON` or Proxy that throws, a Symbol purpose) or in
   * `track()` (a plugin). Such an event is dropped alone; the events around it are stored.
   */
  invalid: 'invalid',
  /** `track()` after `shutdown()`. */
  afterShutdown: 'after_shutdown',
  /** The event's consent purpose was denied (at track time or later, purging the queue). */
  consentDenied: 'consent_denied',
  /** Too many events held while consent is pending. */
  consentPendingOverflow: 'consent_pending_overflow',
  /** The store was full (declared eviction: the newest events are refused). */
  storeFull: 'store_full',
  /** The retry attempt cap was reached. */
  retriesExhausted: 'retries_exhausted',
  /** The event was older than the retry deadline. */
  expired: 'expired',
  /** The receiver took the batch but rejected this event as invalid (it keeps it in its bad store). */
  rejected: 'rejected',
  /** A non-retryable HTTP status (4xx other than 408 and 429). */
  fatalStatus: 'fatal_status',
  /** A single event larger than the receiver or the batch limit accepts. */
  tooLarge: 'too_large',
  /** The store failed to accept the event. */
  storeError: 'store_error',
  /**
   * Still in a store that does not outlive the process (memory), or held for consent, when
   * `shutdown()` gave up waiting; a durable store (disk spool, IndexedDB) keeps its events instead.
   */
  shutdown: 'shutdown',
} as const;

export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/**
 * A context entity as passed to `track()`: generated `create<Name>Entity` functions attach the PII
 * marks of the entity's schema, which core applies (and strips) before the event is stored.
 */
export interface EntityInput<T = Record<string, unknown>> extends SelfDescribing<T> {
  pii?: PiiRules;
}

/** Per-call options of `track()`. Generated track functions fill `purpose` and `pii` from the schema. */
export interface TrackOptions {
  /** Context entities attached to the event. */
  entities?: readonly EntityInput[];
  /** When the event really happened, if not now (`ts.true`). */
  trueTimestamp?: Date | number | string;
  /**
   * Consent purpose that must be granted for this event. `necessary` is never gated.
   * @default the tracker's `defaultPurpose`
   */
  purpose?: string;
  /** PII marks of the event's schema (`x-pii`), applied before the event is stored. */
  pii?: PiiRules;
  /** Identity for this event only (server side: the user the request is about), merged over the tracker's. */
  user?: EnvelopeUser;
}

/** What a schema fixes for its events and entities: its consent purpose and its PII marks. */
export interface SchemaRules {
  purpose?: string;
  pii?: PiiRules;
}

/** Consent purpose and PII marks by schema URI (`iglu:vendor/name/jsonschema/1-0-0`), as codegen emits it. */
export type TrackingPlan = Readonly<Record<string, SchemaRules>>;

/** The part of a tracker that generated track functions need. */
export interface TrackerLike {
  track(event: SelfDescribing, options?: TrackOptions): string | undefined;
}

/** Enriches envelopes at track time (identity, session, page...). */
export interface TrackerPlugin {
  readonly name: string;
  /**
   * Adds fields to a freshly built envelope. Assign top-level fields (`envelope.page = {...}`);
   * never mutate objects shared between envelopes (`app`, `tracker`, `consent`, `ts`) or the app's own
   * `event`. `now` is the tracking time in epoch ms, the instant `envelope.ts.created` names.
   */
  enrich(envelope: Envelope, now: number): void;
}

export interface TrackerHooks {
  /** Events a destination has acknowledged. */
  onDelivered?(events: readonly Envelope[], destination: string): void;
  /**
   * Events dropped, with the reason; `destination` is absent for drops before queueing. Calls that
   * never became an envelope (a malformed event, `after_shutdown`) are only counted, in
   * `getStats().dropped`. An event that could not be serialized comes as the app built it.
   */
  onDropped?(events: readonly Envelope[], reason: DropReason, destination?: string): void;
  /**
   * Failures that are not a delivery outcome: a store that failed, a transport or plugin that threw.
   * A failed send that will be retried shows in `getStats().lastError` and the destination's stats.
   */
  onError?(error: Error): void;
}

export interface ConsentOptions {
  /** Initial state per purpose. */
  purposes?: Record<string, ConsentState>;
  /**
   * State of purposes not listed in `purposes`.
   * @default 'granted'
   */
  default?: ConsentState;
  /** Version of the consent policy the initial state was given under (`consent.policyVersion`). */
  policyVersion?: string;
  /**
   * Where the initial consent state came from (`consent.source`).
   * @default 'default'
   */
  source?: string;
}

export interface MemoryStoreLimits {
  /** Most events the memory store holds; beyond it new events are refused. @default 100_000 */
  maxEvents?: number;
  /** Most bytes (serialized, UTF-8) the memory store holds. @default 67_108_864 (64 MiB) */
  maxBytes?: number;
}

export interface TrackerOptions {
  /** Application id (`app.id`). */
  appId: string;
  /** Platform of the app (`app.platform`). @default 'srv' in Node, 'web' in the browser */
  platform?: Platform;
  /** Application version (`app.version`). */
  appVersion?: string;
  /** Where events go; each gets its own queue and retry state. At least one. */
  destinations: readonly Destination[];
  /** Tracker namespace (`tracker.namespace`), to tell several trackers apart. */
  namespace?: string;
  /**
   * Consent purpose of events whose schema names none.
   * @default 'analytics'
   */
  defaultPurpose?: string;
  /** Initial consent state. @default {} (every purpose granted) */
  consent?: ConsentOptions;
  /**
   * Most events held in memory while their purpose is pending; beyond it the oldest are dropped.
   * @default 1000
   */
  maxPendingConsent?: number;
  /**
   * PII pointers (per schema URI without version, e.g. `iglu:com.acme/signup/jsonschema`) the app
   * opts in to send in clear. Nothing marked `x-pii` leaves in clear otherwise.
   * @default {}
   */
  allowPiiInClear?: Readonly<Record<string, readonly string[]>>;
  /**
   * Consent purpose and PII marks by schema URI: the generated `TRACKING_PLAN`. A `track()` call (a
   * raw `track({ schema, data })`, another integration) gets its schema's `purpose` and `pii` where
   * it passes none of its own, and so does an entity without marks.
   * @default {}
   */
  trackingPlan?: TrackingPlan;
  /** Plugins that enrich envelopes at track time, in order. @default [] */
  plugins?: readonly TrackerPlugin[];
  /** Durable store per destination. @default bounded memory store */
  store?: EventStoreFactory;
  /** Bounds of the default memory store. @default {} */
  memoryStore?: MemoryStoreLimits;
  /**
   * How often queued events are sent when a batch is not yet full.
   * @default 1000
   */
  flushIntervalMs?: number;
  /**
   * Batches in flight at once per destination.
   * @default 4
   */
  concurrency?: number;
  /** Abandon a send attempt after this long (ms); it then counts as a retryable failure. @default 10_000 */
  requestTimeoutMs?: number;
  /** Overrides of the retry policy; unset fields keep `DEFAULT_RETRY_POLICY`. @default DEFAULT_RETRY_POLICY */
  retry?: Partial<RetryPolicy>;
  /** Callbacks on delivery, drops and errors. @default {} */
  hooks?: TrackerHooks;
  /** Initial identity (`user`). */
  user?: EnvelopeUser;
}

export interface DestinationStats {
  queued: number;
  inFlight: number;
  delivered: number;
  retried: number;
  dropped: Partial<Record<DropReason, number>>;
  /** Epoch ms until which sending is paused by backoff, if it is. */
  backoffUntil?: number;
  lastError?: string;
}

export interface TrackerStats {
  /** Calls to `track()`, valid or not. */
  tracked: number;
  /** Events waiting in stores, summed over destinations. */
  queued: number;
  inFlight: number;
  /** Events held in memory while their consent purpose is pending. */
  heldForConsent: number;
  /** Deliveries acknowledged, summed over destinations. */
  delivered: number;
  /** Batch retries scheduled, summed over destinations. */
  retried: number;
  dropped: Partial<Record<DropReason, number>>;
  lastError?: string;
  destinations: Record<string, DestinationStats>;
}

export interface FlushOptions {
  /** Give up waiting after this long (events stay queued). @default no limit */
  timeoutMs?: number;
  /**
   * The page or process is going away: events tracked but not yet stored are handed to the stores
   * synchronously, within this call, and sends started by this flush get `unloading: true`
   * (browser: `fetch` keepalive or `sendBeacon`, no gzip). @default false
   */
  unloading?: boolean;
  /** Cut a pending retry backoff short and send now, e.g. when the network is back. @default false */
  resume?: boolean;
}

export interface ShutdownOptions {
  /** Give up waiting for the final flush after this long (ms). @default 5000 */
  timeoutMs?: number;
}

export interface Tracker extends TrackerLike {
  /**
   * Queues an event; returns its id, or `undefined` when the event was dropped. Never throws. The
   * event is serialized a microtask later: one that cannot be (a cycle, a BigInt...) is dropped
   * then, as `invalid` through `onDropped`, though its id was returned.
   */
  track(event: SelfDescribing, options?: TrackOptions): string | undefined;
  /** Sets or clears the user id (`user.userId`). */
  identify(userId: string | undefined): void;
  /** Merges fields into the tracker's identity. */
  setUser(user: EnvelopeUser): void;
  getUser(): Readonly<EnvelopeUser>;
  /** Updates consent per purpose: grant releases held events in order, deny drops and purges them. */
  setConsent(purposes: Record<string, ConsentState>, meta?: { policyVersion?: string; source?: string }): void;
  getConsent(): Readonly<ConsentSnapshot>;
  /** Resolves when every queued and in-flight event was delivered or dropped (or on timeout); never rejects. */
  flush(options?: FlushOptions): Promise<void>;
  /** Flushes, then stops timers and closes stores. Idempotent; later `track()` calls are dropped. */
  shutdown(options?: ShutdownOptions): Promise<void>;
  getStats(): TrackerStats;
}
