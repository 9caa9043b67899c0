// How track() builds an envelope: the envelope object, the options of a call applied to it, and the
// check of what the app passed.
import type { ConsentSnapshot, Envelope, EnvelopeApp, EnvelopeTimestamps, EnvelopeTracker, EnvelopeUser, SelfDescribing } from './envelope.js';
import { isSchemaUri } from './schema-uri.js';
import type { TrackOptions } from './tracker-types.js';

/**
 * The envelope `track()` builds. A class rather than an object literal: V8 follows the objects of each
 * literal and, once nearly all of them outlive a garbage collection (queued envelopes do), allocates
 * that literal's objects in the old generation from then on. The switch deoptimizes `track()` in the
 * middle of a burst, and every later call pays more for its writes. Class instances are not followed.
 * Only the fields every envelope has are declared, in wire order; the others are added when set.
 */
export class TrackedEnvelope implements Envelope {
  id: string;
  event: SelfDescribing;
  ts: EnvelopeTimestamps;
  app: EnvelopeApp;
  tracker: EnvelopeTracker;
  user: EnvelopeUser;
  consent: ConsentSnapshot;

  constructor(
    id: string,
    event: SelfDescribing,
    ts: EnvelopeTimestamps,
    app: EnvelopeApp,
    tracker: EnvelopeTracker,
    user: EnvelopeUser,
    consent: ConsentSnapshot,
  ) {
    this.id = id;
    this.event = event;
    this.ts = ts;
    this.app = app;
    this.tracker = tracker;
    this.user = user;
    this.consent = consent;
  }
}

export function applyTrackOptions(envelope: Envelope, options: TrackOptions): void {
  if (options.entities && options.entities.length > 0) envelope.entities = [...options.entities];
  // `ts` is shared by the events of one millisecond: this event gets its own.
  if (options.trueTimestamp !== undefined) envelope.ts = { ...envelope.ts, true: new Date(options.trueTimestamp).toISOString() };
  if (options.user) envelope.user = { ...envelope.user, ...options.user };
}

/** Returns what is wrong with an event, or `undefined` when it is well-formed. */
export function describeInvalidEvent(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return 'the event is not an object';
  const { schema, data } = event as Partial<SelfDescribing>;
  if (!isSchemaUri(schema)) return 'schema is not an Iglu URI iglu:<vendor>/<name>/<format>/<M-R-A>';
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'data is not an object';
  return undefined;
}
