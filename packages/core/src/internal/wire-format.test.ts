import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Envelope } from './envelope.js';
import { storedEventOf, withSentAt } from './wire-format.js';

const serialize = (input: Envelope): string => storedEventOf(input, 'analytics', 0).json;

const envelope: Envelope = {
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  event: { schema: 'iglu:com.acme/x/jsonschema/1-0-0', data: { ts: '}}', text: 'with "quotes" and } braces' } },
  ts: { created: '2026-01-01T00:00:00.000Z', true: '2025-12-31T23:59:59.000Z' },
  app: { id: 'a', platform: 'web' },
  tracker: { name: 't', version: '1' },
  user: { userId: 'u' },
  consent: { purposes: { analytics: 'granted' } },
  page: { url: 'https://example.com/?q=1' },
};

describe('wire format', () => {
  it('serializes an envelope with ts last and loses nothing', () => {
    const json = serialize(envelope);
    expect(json.endsWith('"ts":{"created":"2026-01-01T00:00:00.000Z","true":"2025-12-31T23:59:59.000Z"}}')).toBe(true);
    expect(JSON.parse(json)).toEqual(envelope);
  });

  it('serializes shared frozen parts the same as fresh ones', () => {
    const shared = { ...envelope, app: Object.freeze({ id: 'a', platform: 'web' as const }), user: Object.freeze({ userId: 'u' }) };
    expect(serialize(shared)).toBe(serialize(envelope));
    expect(serialize(shared)).toBe(serialize(shared));
  });

  it("writes only the schema and data of the app's event object", () => {
    const appEvent = { schema: envelope.event.schema, data: envelope.event.data, note: 'not part of the event' };
    const json = serialize({ ...envelope, event: appEvent });
    expect(JSON.parse(json)).toEqual(envelope);
  });

  it('stamps ts.sent on the serialized text, keeping every other field', () => {
    const sent = JSON.parse(withSentAt(serialize(envelope), '2026-01-01T00:00:05.000Z')) as Envelope;
    expect(sent).toEqual({ ...envelope, ts: { ...envelope.ts, sent: '2026-01-01T00:00:05.000Z' } });
  });

  it('stamps a new ts.sent on each attempt from the stored text', () => {
    const json = serialize(envelope);
    withSentAt(json, '2026-01-01T00:00:05.000Z');
    const second = JSON.parse(withSentAt(json, '2026-01-01T00:01:00.000Z')) as Envelope;
    expect(second.ts.sent).toBe('2026-01-01T00:01:00.000Z');
  });

  it('measures the UTF-8 bytes of the text it stores, shared parts and non-ASCII text included', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(
      fc.property(text, text, text, text, fc.boolean(), fc.boolean(), (data, userId, title, entity, withTrueTs, shared) => {
        const input: Envelope = {
          ...envelope,
          event: { schema: envelope.event.schema, data: { data, [userId]: 1 } },
          ts: withTrueTs ? { created: envelope.ts.created, true: envelope.ts.created } : Object.freeze({ created: envelope.ts.created }),
          user: shared ? Object.freeze({ userId }) : { userId },
          consent: Object.freeze({ purposes: Object.freeze({ [title]: 'granted' as const }) }),
          page: shared ? Object.freeze({ url: 'https://example.com/', title }) : { url: 'https://example.com/', title },
          entities: [{ schema: 'iglu:com.acme/e/jsonschema/1-0-0', data: { entity } }],
        };
        const stored = storedEventOf(input, 'analytics', 7);
        expect(stored.bytes).toBe(Buffer.byteLength(stored.json, 'utf8'));
        expect(JSON.parse(stored.json)).toEqual(JSON.parse(JSON.stringify(input)));
        expect(stored).toMatchObject({ id: envelope.id, purpose: 'analytics', createdAt: 7 });
      }),
      { numRuns: 200 },
    );
  });
});

