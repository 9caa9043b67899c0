import { describe, expect, it } from 'vitest';
import { GoodRecordWriter } from '../stored-records.js';
import { GoodLineReader } from './good-line-id.js';

const ID = '0190a0b0-0000-7000-8000-000000000001';
const AT = '2026-03-04T10:00:00.123Z';
const ENVELOPE = { id: ID, event: { schema: 'iglu:com.acme/click/jsonschema/1-0-0', data: { id: 'not-this-one' } }, app: { id: 'shop', platform: 'web' } };

/** What `read` finds in `line`: `[id, receivedAt]`, or false. */
function read(line: string, suspect = false): [string, string] | false {
  const reader = new GoodLineReader();
  // Surrounded by other bytes, as in a chunk of a part file.
  const data = Buffer.from(`xx\n${line}\nyy`);
  return reader.read(data, 3, 3 + Buffer.byteLength(line), suspect) && [reader.id, new Date(reader.receivedAt).toISOString()];
}

const written = (clientIp: string | undefined, envelope: object = ENVELOPE): string => new GoodRecordWriter(AT, clientIp, undefined).value(envelope as never, 0, 0);

describe('GoodLineReader', () => {
  it.each([
    ['a line the collector wrote', written('203.0.113.0')],
    ['without a client IP', written(undefined)],
    ['an IPv6 client', written('2001:db8::')],
    ['the envelope as it arrived, with spaces', `{"receivedAt":"${AT}","clientIp":"203.0.113.0","envelope":{ "id" : "${ID}", "app": {"id": "shop"}}}`],
    ['the id not first (read in full)', `{"receivedAt":"${AT}","envelope":{"app":{"id":"shop"},"id":"${ID}"}}`],
    ['an id with an escape (read in full)', `{"receivedAt":"${AT}","envelope":{"id":"\\u0030${ID.slice(1)}"}}`],
    ['fields in another order (read in full)', JSON.stringify({ envelope: ENVELOPE, receivedAt: AT })],
  ])('finds the id and receive time: %s', (_, line) => {
    expect(read(line)).toEqual([ID, AT]);
  });

  it.each([
    ['torn inside the envelope', written('203.0.113.0').slice(0, 120)],
    ['torn inside the id', written(undefined).slice(0, 60)],
    ['no envelope (a bad record)', JSON.stringify({ receivedAt: AT, errors: ['x'], payload: { id: ID } })],
    ['no receive time', JSON.stringify({ envelope: ENVELOPE })],
    ['an empty id', JSON.stringify({ receivedAt: AT, envelope: { ...ENVELOPE, id: '' } })],
    ['zeros a power loss left', '\0'.repeat(200)],
  ])('finds nothing in a line that is not a whole good record: %s', (_, line) => {
    expect(read(line)).toBe(false);
  });

  it('reads a suspect line (followed by the mark of a torn line) in full: whole, it still counts', () => {
    // Torn right after a nested object: it ends like a whole record, only parsing tells.
    const torn = `{"receivedAt":"${AT}","envelope":{"id":"${ID}","event":{"data":{"a":{}}}`;
    expect(read(torn, true)).toBe(false);
    expect(read(written('203.0.113.0'), true)).toEqual([ID, AT]);
  });
});
