import type { Envelope } from '@tracklane/core';
import { describe, expect, it } from 'vitest';
import { locateEvents } from './event-spans.js';
import { countMembers } from './event-validator.js';
import { GoodRecordWriter, badRecordValue, type BatchSource } from './stored-records.js';

const RECEIVED_AT = '2026-03-04T10:00:00.000Z';

/** The stored line of every event of `body`, as the collector builds it after validation. */
function storedLines(body: string, { clientIp }: { clientIp: string | undefined } = { clientIp: '203.0.113.0' }): string[] {
  const events = (JSON.parse(body) as { events: Envelope[] }).events;
  const spans = locateEvents(body);
  const source: BatchSource | undefined = spans && { text: body, spans };
  const writer = new GoodRecordWriter(RECEIVED_AT, clientIp, source);
  return events.map((envelope, index) => writer.value(envelope, index, countMembers(envelope, 32)));
}

describe('GoodRecordWriter', () => {
  it('stores an event as the text it arrived as, in the same record as JSON.stringify would make', () => {
    const body = '{"sentAt":"x","events":[{"id":"a","event":{"schema":"s","data":{"price":1.50,"big":12345678901234567890,"name":"caf\\u00e9"}}}]}';
    const [line] = storedLines(body);
    expect(line).toBe(`{"receivedAt":"${RECEIVED_AT}","clientIp":"203.0.113.0","envelope":{"id":"a","event":{"schema":"s","data":{"price":1.50,"big":12345678901234567890,"name":"caf\\u00e9"}}}}`);
    const envelope = (JSON.parse(body) as { events: unknown[] }).events[0];
    expect(JSON.parse(line!)).toEqual({ receivedAt: RECEIVED_AT, clientIp: '203.0.113.0', envelope });
  });

  it('leaves out a client IP it does not know, as JSON.stringify does', () => {
    expect(storedLines('{"events":[{"id":"a"}]}', { clientIp: undefined })).toEqual([`{"receivedAt":"${RECEIVED_AT}","envelope":{"id":"a"}}`]);
  });

  it('serializes an event whose text repeats a key: the stored record holds only what was validated', () => {
    // JSON.parse keeps the last "role"; a reader that keeps the first would see another event.
    const [line] = storedLines('{"events":[{"id":"a","user":{"role":"admin","role":"member"}}]}');
    expect(line).toBe(`{"receivedAt":"${RECEIVED_AT}","clientIp":"203.0.113.0","envelope":{"id":"a","user":{"role":"member"}}}`);
  });

  it('serializes an event written over several lines, so every record stays one line', () => {
    const lines = storedLines('{"events":[\n  {\n    "id": "a"\n  },\n  {"id": "b"}\n]}');
    expect(lines).toEqual([`{"receivedAt":"${RECEIVED_AT}","clientIp":"203.0.113.0","envelope":{"id":"a"}}`, `{"receivedAt":"${RECEIVED_AT}","clientIp":"203.0.113.0","envelope":{"id": "b"}}`]);
  });

  it('serializes every event when the body cannot be located (an escaped key)', () => {
    expect(storedLines('{"\\u0073entAt":"x","events":[{"id" : "a"}]}')).toEqual([`{"receivedAt":"${RECEIVED_AT}","clientIp":"203.0.113.0","envelope":{"id":"a"}}`]);
  });
});

describe('badRecordValue', () => {
  const ERRORS = ['/event/data: must NOT have additional properties'];

  it('keeps the payload whole while the record fits maxBytes', () => {
    const payload = { id: 'a', data: { text: 'é'.repeat(100) } };
    expect(JSON.parse(badRecordValue(RECEIVED_AT, '203.0.113.0', ERRORS, payload, 1000))).toEqual({ receivedAt: RECEIVED_AT, clientIp: '203.0.113.0', errors: ERRORS, payload });
  });

  it.each([
    ['ASCII', 'x'],
    ['two-byte UTF-8', 'é'],
    ['three-byte UTF-8', '€'],
    ['surrogate pairs', '😀'],
    ['quotes and backslashes, escaped twice', '"\\'],
  ])('cuts a larger one to its first bytes within maxBytes, with its size and why (%s)', (_name, unit) => {
    const payload = { id: 'a', data: { text: unit.repeat(50_000) } };
    const line = badRecordValue(RECEIVED_AT, undefined, ERRORS, payload, 4096);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
    const record = JSON.parse(line) as Record<string, unknown>;
    const text = JSON.stringify(payload);
    expect(record).toMatchObject({ receivedAt: RECEIVED_AT, errors: ERRORS, payload: null, payloadOmitted: 'larger than 4096 bytes: cut', payloadBytes: Buffer.byteLength(text) });
    const head = record.payloadHead as string;
    expect(text.startsWith(head)).toBe(true);
    // At most 3 bytes per unit once escaped again: the head takes at least a third of what is left.
    expect(head.length).toBeGreaterThan(1000);
    expect(head).not.toMatch(/[\uD800-\uDBFF]$/);
  });

  it('cuts the text the payload arrived as, when given and larger than maxBytes, without serializing the payload', () => {
    const received = `{ "id": "a",\n  "data": "${'x'.repeat(10_000)}" }`;
    const payload = { toJSON: () => expect.unreachable('the payload was serialized') };
    const line = badRecordValue(RECEIVED_AT, undefined, ERRORS, payload, 4096, received);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({ payload: null, payloadBytes: Buffer.byteLength(received) });
    expect(received.startsWith(record.payloadHead as string)).toBe(true);
    // A smaller one is stored as the value, whatever text it came as.
    expect(JSON.parse(badRecordValue(RECEIVED_AT, undefined, ERRORS, { id: 'a' }, 4096, '{ "id" : "a" }'))).toMatchObject({ payload: { id: 'a' } });
  });

  it('a payload too deeply nested to serialize is omitted, its reasons kept', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(JSON.parse(badRecordValue(RECEIVED_AT, undefined, ERRORS, deep))).toEqual({ receivedAt: RECEIVED_AT, errors: ERRORS, payload: null, payloadOmitted: 'too deeply nested to store' });
  });
});
