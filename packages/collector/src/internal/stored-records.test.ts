import type { Envelope } from '@tracklane/core';
import { describe, expect, it } from 'vitest';
import { locateEvents } from './event-spans.js';
import { countMembers } from './event-validator.js';
import { GoodRecordWriter, type BatchSource } from './stored-records.js';

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
