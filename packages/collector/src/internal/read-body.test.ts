import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CollectorError, CollectorErrorCode, httpStatus } from './errors.js';
import { readBody } from './read-body.js';

const LIMITS = { maxBodyBytes: 1024, maxInflatedBytes: 4096 };

/** A request stand-in: the body arrives in `chunks`, with the given headers. */
function request(body: Buffer | string | Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  const chunks = Array.isArray(body) ? body : [Buffer.from(body)];
  return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;
}

async function failure(promise: Promise<unknown>): Promise<CollectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CollectorError);
  return error as CollectorError;
}

describe('readBody', () => {
  it.each([
    ['plain JSON', request('{"events":[]}'), '{"events":[]}'],
    ['no content-encoding header', request('{}', {}), '{}'],
    ['identity', request('{}', { 'content-encoding': 'identity' }), '{}'],
    ['gzip', request(gzipSync('{"a":"ü"}'), { 'content-encoding': 'gzip' }), '{"a":"ü"}'],
    ['gzip in capitals', request(gzipSync('{}'), { 'content-encoding': 'GZIP' }), '{}'],
    ['several chunks', request([Buffer.from('{"a"'), Buffer.from(':1}')]), '{"a":1}'],
    ['a multi-byte character split across chunks', request([Buffer.from([0x22, 0xc3]), Buffer.from([0xbc, 0x22])]), '"ü"'],
    ['exactly maxBodyBytes', request('x'.repeat(1024)), 'x'.repeat(1024)],
    ['an empty body', request(''), ''],
  ])('reads %s', async (_name, req, text) => {
    await expect(readBody(req, LIMITS)).resolves.toBe(text);
  });

  describe('limits → 413', () => {
    it('a body one byte over maxBodyBytes, while it streams in', async () => {
      const error = await failure(readBody(request([Buffer.alloc(1000, 0x20), Buffer.alloc(25, 0x20)]), LIMITS));
      expect(error.code).toBe(CollectorErrorCode.BODY_TOO_LARGE);
      expect(httpStatus(error.code)).toBe(413);
      expect(error.message).toBe('body larger than 1024 bytes');
    });

    it('a declared Content-Length over the limit, before reading anything', async () => {
      const body = Readable.from(
        (function* () {
          throw new Error('the body must not be read');
        })(),
      );
      const req = Object.assign(body, { headers: { 'content-length': '1025' } }) as unknown as IncomingMessage;
      expect((await failure(readBody(req, LIMITS))).code).toBe(CollectorErrorCode.BODY_TOO_LARGE);
    });

    it('the compressed size counts against maxBodyBytes', async () => {
      const incompressible = randomBytes(3000);
      const error = await failure(readBody(request(gzipSync(incompressible), { 'content-encoding': 'gzip' }), LIMITS));
      expect(httpStatus(error.code)).toBe(413);
    });

    it('a gzip bomb: tiny on the wire, over maxInflatedBytes once inflated', async () => {
      const bomb = gzipSync(Buffer.alloc(10_000_000, 0x20));
      expect(bomb.length).toBeLessThan(LIMITS.maxBodyBytes * 16);
      const small = { maxBodyBytes: 64 * 1024, maxInflatedBytes: 4096 };
      const error = await failure(readBody(request(bomb, { 'content-encoding': 'gzip' }), small));
      expect(httpStatus(error.code)).toBe(413);
      expect(error.message).toBe('inflated body larger than 4096 bytes');
    });

    it('tells `charge` of every byte held: the body as received, then as inflated', async () => {
      const text = 'z'.repeat(3000);
      const gzipped = gzipSync(text);
      const charged: number[] = [];
      await expect(readBody(request(gzipped, { 'content-encoding': 'gzip' }), { ...LIMITS, charge: (bytes) => charged.push(bytes) })).resolves.toBe(text);
      expect(charged.reduce((a, b) => a + b, 0)).toBe(gzipped.length + text.length);
    });

    it('stops inflating when `charge` throws (the budget is spent), with its error', async () => {
      const spent = new CollectorError(CollectorErrorCode.OVERLOADED, 'spent');
      let held = 0;
      const charge = (bytes: number): void => {
        if (held + bytes > 100_000) throw spent;
        held += bytes;
      };
      const bomb = gzipSync(Buffer.alloc(4_000_000, 0x20));
      const error = await failure(readBody(request(bomb, { 'content-encoding': 'gzip' }), { maxBodyBytes: 64 * 1024, maxInflatedBytes: 8_000_000, charge }));
      expect(error).toBe(spent);
      expect(held).toBeLessThanOrEqual(100_000);
    });

    it('inflating exactly to maxInflatedBytes is fine', async () => {
      const text = 'y'.repeat(4096);
      await expect(readBody(request(gzipSync(text), { 'content-encoding': 'gzip' }), LIMITS)).resolves.toBe(text);
    });
  });

  describe('unreadable → 400', () => {
    it.each([
      ['a lone continuation byte', Buffer.from([0x7b, 0x80, 0x7d])],
      ['a truncated sequence', Buffer.from([0x22, 0xe2, 0x82, 0x22])],
      ['an overlong encoding of "/"', Buffer.from([0xc0, 0xaf])],
      ['a UTF-16 surrogate encoded in UTF-8', Buffer.from([0xed, 0xa0, 0x80])],
      ['0xFF', Buffer.from([0xff, 0xfe, 0x7b, 0x7d])],
    ])('invalid UTF-8: %s', async (_name, bytes) => {
      const error = await failure(readBody(request(bytes), LIMITS));
      expect(error.code).toBe(CollectorErrorCode.BODY_UNREADABLE);
      expect(httpStatus(error.code)).toBe(400);
      expect(error.message).toBe('body is not valid UTF-8');
    });

    it('invalid UTF-8 inside a valid gzip stream', async () => {
      const error = await failure(readBody(request(gzipSync(Buffer.from([0x22, 0xff, 0x22])), { 'content-encoding': 'gzip' }), LIMITS));
      expect(httpStatus(error.code)).toBe(400);
    });

    it.each([
      ['not gzip at all', Buffer.from('{"events":[]}')],
      ['a truncated gzip stream', gzipSync('{"events":[]}').subarray(0, 12)],
      ['gzip with a corrupt checksum', Buffer.concat([gzipSync('{}').subarray(0, -8), Buffer.alloc(8, 0xaa)])],
    ])('Content-Encoding gzip but %s', async (_name, bytes) => {
      const error = await failure(readBody(request(bytes, { 'content-encoding': 'gzip' }), LIMITS));
      expect(error.code).toBe(CollectorErrorCode.BODY_UNREADABLE);
      expect(httpStatus(error.code)).toBe(400);
      expect(error.message).toBe('body is not valid gzip');
    });
  });

  it.each(['br', 'deflate', 'compress', 'zstd', 'gzip, br', 'x-gzip'])('Content-Encoding %s → 415', async (encoding) => {
    const error = await failure(readBody(request('{}', { 'content-encoding': encoding }), LIMITS));
    expect(error.code).toBe(CollectorErrorCode.UNSUPPORTED_ENCODING);
    expect(httpStatus(error.code)).toBe(415);
    expect(error.message).toContain(encoding);
  });
});
