import type { Envelope, SelfDescribing } from './envelope.js';
import type { StoredEvent } from './store.js';

/** JSON of the frozen objects that many envelopes share, built by the tracker. */
const sharedJson = new WeakMap<object, string>();
const SHARED_KEYS: ReadonlySet<string> = new Set(['app', 'tracker', 'user', 'consent', 'ts']);

function jsonOf(key: string, value: unknown): string {
  // Only the tracker's own snapshots: app data may be frozen shallowly and still change deeper down.
  if (!SHARED_KEYS.has(key) || typeof value !== 'object' || value === null || !Object.isFrozen(value)) return JSON.stringify(value);
  let json = sharedJson.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    sharedJson.set(value, json);
  }
  return json;
}

/**
 * Envelopes are serialized once, when they are stored, and sent as that text on every attempt.
 * `ts` is always written last, so the per-attempt `ts.sent` is appended to the text without
 * parsing or serializing the envelope again. Parts shared by many envelopes are frozen by the
 * tracker and serialized once.
 */
export function serializeEnvelope(envelope: Envelope): string {
  let json = '{';
  for (const key of Object.keys(envelope) as (keyof Envelope)[]) {
    const value = envelope[key];
    if (key === 'ts' || value === undefined) continue;
    json += key === 'event' ? `"event":${selfDescribingJson(envelope.event)},` : `"${key}":${jsonOf(key, value)},`;
  }
  return `${json}"ts":${jsonOf('ts', envelope.ts)}}`;
}

/** The envelope's event is the object the app passed to `track()`: only its two fields go out. */
function selfDescribingJson({ schema, data }: SelfDescribing): string {
  return `{"schema":${JSON.stringify(schema)},"data":${JSON.stringify(data)}}`;
}

/** The serialized envelope with `ts.sent` set to `sentAt` (an ISO timestamp). */
export function withSentAt(json: string, sentAt: string): string {
  // json ends with `"ts":{...}}`: insert before the two closing braces.
  return `${json.slice(0, -2)},"sent":"${sentAt}"}}`;
}

/** Envelopes of stored events, for hooks and for destinations that map fields (Snowplow). */
export function envelopesOf(events: readonly StoredEvent[]): Envelope[] {
  return events.map((event) => JSON.parse(event.json) as Envelope);
}
