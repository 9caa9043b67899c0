/**
 * The canonical envelope: one JSON object per event, built once at `track()` time. It is what is
 * stored, retried, sent to the native collector and mapped 1:1 to the Snowplow tracker protocol.
 * Its JSON Schema is `iglu:dev.tracklane/envelope/jsonschema/1-0-0` (see `envelope-schema.ts`).
 */

/** A self-describing JSON object: an Iglu schema URI and data that conforms to it. */
export interface SelfDescribing<T = Record<string, unknown>> {
  schema: string;
  data: T;
}

export type Platform = 'web' | 'srv' | 'mob' | 'app';

export type ConsentState = 'granted' | 'denied' | 'pending';

/** The consent snapshot carried by every envelope. */
export interface ConsentSnapshot {
  purposes: Readonly<Record<string, ConsentState>>;
  policyVersion?: string;
  /** Where the decision came from, e.g. `banner`, `default`, `server`. */
  source?: string;
}

export interface EnvelopeApp {
  id: string;
  platform: Platform;
  version?: string;
}

export interface EnvelopeTracker {
  name: string;
  version: string;
  namespace?: string;
}

export interface EnvelopeUser {
  anonymousId?: string;
  userId?: string;
  sessionId?: string;
  sessionIndex?: number;
}

export interface EnvelopePage {
  url?: string;
  referrer?: string;
  title?: string;
}

export interface EnvelopeDevice {
  userAgent?: string;
  language?: string;
  timezone?: string;
  /** Screen resolution as `<width>x<height>`. */
  screen?: string;
}

/** Timestamps as ISO 8601 strings (UTC, millisecond precision). */
export interface EnvelopeTimestamps {
  /** Device time when `track()` was called. */
  created: string;
  /** Device time of the send attempt; set by the transport on every attempt. */
  sent?: string;
  /** Time supplied by the caller (e.g. when the event really happened). */
  true?: string;
}

export interface Envelope {
  /** UUID v7, minted once at track time: the idempotency key for retries and deduplication. */
  id: string;
  event: SelfDescribing;
  entities?: SelfDescribing[];
  ts: EnvelopeTimestamps;
  app: EnvelopeApp;
  tracker: EnvelopeTracker;
  user: EnvelopeUser;
  consent: ConsentSnapshot;
  page?: EnvelopePage;
  device?: EnvelopeDevice;
}

/** The body of `POST /v1/batch` on the native collector. */
export interface CollectorBatch {
  sentAt: string;
  events: Envelope[];
}
