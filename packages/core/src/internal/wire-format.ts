import type { Envelope } from './envelope.js';
import type { StoredEvent } from './store.js';
import { utf8Length } from './utf8.js';

/** JSON text, with its UTF-8 length. */
interface JsonPart {
  readonly json: string;
  readonly bytes: number;
}

/** JSON of the frozen objects that many envelopes share, built by the tracker. */
const sharedParts = new WeakMap<object, JsonPart>();
/**
 * The object last seen under each shared key, with its part: consecutive envelopes share them, so
 * most lookups end here. Only the snapshots the tracker and its context plugins freeze are shared
 * (flat, or frozen all the way down): app data may be frozen shallowly and still change deeper down.
 */
const recent: Record<string, { readonly value: unknown; readonly part: JsonPart } | null> = {
  app: null,
  tracker: null,
  user: null,
  consent: null,
  page: null,
  device: null,
  ts: null,
};

function sharedPart(key: string, value: unknown): JsonPart | undefined {
  const last = recent[key];
  if (last && last.value === value) return last.part;
  if (last === undefined || typeof value !== 'object' || value === null || !Object.isFrozen(value)) return undefined;
  let part = sharedParts.get(value);
  if (part === undefined) {
    const json = JSON.stringify(value);
    part = { json, bytes: utf8Length(json) };
    sharedParts.set(value, part);
  }
  recent[key] = { value, part };
  return part;
}

/** UTF-8 bytes of `text` beyond one per UTF-16 unit (0 for ASCII). */
function extraUtf8Bytes(text: string): number {
  return utf8Length(text) - text.length;
}

/**
 * The stored form of an envelope: its JSON and that JSON's UTF-8 length, worked out together so the
 * whole text is never scanned (parts shared by many envelopes are serialized and measured once).
 * Envelopes are serialized once, when they are stored, and sent as that text on every attempt. `ts`
 * is always written last, so the per-attempt `ts.sent` is appended to the text without parsing or
 * serializing the envelope again.
 *
 * Throws when the envelope cannot be serialized: `JSON.stringify` throws on a cycle, a BigInt, or a
 * getter, `toJSON` or Proxy that throws; where it gives `undefined` instead (a function, a Symbol, a
 * `toJSON` returning one), measuring that part throws (TypeError). The tracker then drops that event
 * alone. What is JSON but no valid envelope (data whose `toJSON` returns a number, an entity
 * without a schema) is the collector's to reject, per event.
 */
export function storedEventOf(envelope: Envelope, purpose: string, createdAt: number): StoredEvent {
  // Joined once at the end: a flat string, where `+=` would keep a rope of every piece in the store.
  const parts: string[] = ['{'];
  let extra = 0;
  for (const key of Object.keys(envelope) as (keyof Envelope)[]) {
    const value = envelope[key];
    if (key === 'ts' || value === undefined) continue;
    if (key === 'event') {
      // The event is the object the app passed to `track()`: only its two fields go out.
      const { schema, data } = envelope.event;
      const schemaJson = JSON.stringify(schema);
      const dataJson = JSON.stringify(data);
      extra += extraUtf8Bytes(schemaJson) + extraUtf8Bytes(dataJson);
      parts.push('"event":{"schema":', schemaJson, ',"data":', dataJson, '},');
      continue;
    }
    const part = sharedPart(key, value);
    if (part) {
      extra += part.bytes - part.json.length;
      parts.push('"', key, '":', part.json, ',');
    } else {
      const valueJson = JSON.stringify(value);
      extra += extraUtf8Bytes(key) + extraUtf8Bytes(valueJson);
      parts.push('"', key, '":', valueJson, ',');
    }
  }
  const ts = sharedPart('ts', envelope.ts);
  const tsJson = ts ? ts.json : JSON.stringify(envelope.ts);
  extra += ts ? ts.bytes - tsJson.length : extraUtf8Bytes(tsJson);
  parts.push('"ts":', tsJson, '}');
  const json = parts.join('');
  // The purpose is stored as the string consent looks it up by (`purposes[purpose]`); a Symbol, which
  // IndexedDB could not clone nor the spool write, throws.
  return { id: envelope.id, purpose: `${purpose}`, createdAt, json, bytes: json.length + extra };
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
