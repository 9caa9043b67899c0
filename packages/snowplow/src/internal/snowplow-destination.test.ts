import { describe, expect, it } from 'vitest';
import type { Envelope, HttpRequest, HttpResponse, PlatformServices, StoredEvent } from '@tracklane/core';
import { SNOWPLOW_MAX_POST_BYTES, snowplowDestination } from './snowplow-destination.js';
import { PAYLOAD_DATA_SCHEMA } from './tracker-protocol.js';

const envelope = (id: string, text = 'hello'): Envelope => ({
  id,
  event: { schema: 'iglu:com.acme/e/jsonschema/1-0-0', data: { text } },
  ts: { created: '2026-01-01T00:00:00.000Z' },
  app: { id: 'a', platform: 'srv' },
  tracker: { name: 'tracklane-node', version: '0.1.0' },
  user: {},
  consent: { purposes: { analytics: 'granted' } },
});
const stored = (e: Envelope): StoredEvent => {
  const json = JSON.stringify(e);
  return { id: e.id, purpose: 'analytics', createdAt: 0, json, bytes: Buffer.byteLength(json) };
};

function fakePlatform(answer: (request: HttpRequest) => Partial<HttpResponse> | Error): PlatformServices & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    warn: () => {},
    http: {
      post: (request) => {
        requests.push(request);
        const result = answer(request);
        if (result instanceof Error) return Promise.reject(result);
        const headers = (result as { headers?: Record<string, string> }).headers ?? {};
        return Promise.resolve({ status: 200, text: '', header: (name: string) => headers[name.toLowerCase()], ...result });
      },
    },
  };
}

describe('snowplowDestination', () => {
  it('POSTs payload_data to <url>/com.snowplowanalytics.snowplow/tp2 as JSON', async () => {
    const platform = fakePlatform(() => ({ status: 200 }));
    const destination = snowplowDestination({ url: 'https://sp.example/base/?key=k1', headers: { authorization: 'Bearer w' } });
    expect(destination.name).toBe('snowplow');
    expect(destination.batch).toEqual({ maxEvents: 50, maxBytes: 18_000 });
    const result = await destination.createTransport(platform).send([stored(envelope('a')), stored(envelope('b'))], { timeoutMs: 1234 });
    expect(result).toEqual({ type: 'ok' });
    const [request] = platform.requests;
    expect(request!.url).toBe('https://sp.example/base/com.snowplowanalytics.snowplow/tp2?key=k1');
    expect(request!.headers).toEqual({ authorization: 'Bearer w', 'content-type': 'application/json; charset=UTF-8' });
    expect(request!.timeoutMs).toBe(1234);
    const body = JSON.parse(request!.body as string);
    expect(body.schema).toBe(PAYLOAD_DATA_SCHEMA);
    expect(body.data.map((p: { eid: string }) => p.eid)).toEqual(['a', 'b']);
    expect(Number(body.data[0].stm)).toBeGreaterThan(Date.parse('2026-01-01'));
  });

  it.each([
    [{ status: 204 }, { type: 'ok' }],
    [{ status: 503, headers: { 'retry-after': '7' } }, { type: 'retryable', reason: 'HTTP 503', retryAfterMs: 7000 }],
    [{ status: 429 }, { type: 'retryable', reason: 'HTTP 429' }],
    [{ status: 408 }, { type: 'retryable', reason: 'HTTP 408' }],
    [{ status: 500 }, { type: 'retryable', reason: 'HTTP 500' }],
    [{ status: 400 }, { type: 'fatal', reason: 'HTTP 400', status: 400 }],
    [{ status: 413 }, { type: 'fatal', reason: 'HTTP 413', status: 413 }],
    [new Error('ECONNREFUSED'), { type: 'retryable', reason: 'network error: ECONNREFUSED' }],
  ])('answer %j -> %j, as core treats statuses', async (answer, expected) => {
    const transport = snowplowDestination({ url: 'http://sp.local' }).createTransport(fakePlatform(() => answer));
    expect(await transport.send([stored(envelope('a'))], { timeoutMs: 100 })).toEqual(expected);
  });

  it('passes unloading on to the platform', async () => {
    const platform = fakePlatform(() => ({ status: 200 }));
    await snowplowDestination({ url: 'http://sp.local' }).createTransport(platform).send([stored(envelope('a'))], { timeoutMs: 1, unloading: true });
    expect(platform.requests[0]!.unloading).toBe(true);
  });

  it('never sends a body above 40,000 bytes: asks the queue to split (413), sends nothing', async () => {
    const platform = fakePlatform(() => ({ status: 200 }));
    // Limits looser than the defaults, to reach the guard.
    const transport = snowplowDestination({ url: 'http://sp.local', batch: { maxBytes: 24_000 } }).createTransport(platform);
    // Quotes double when JSON is escaped into ue_pr: 15 KB of envelopes become > 40 KB of body.
    const batch = ['a', 'b'].map((id) => stored(envelope(id, '"'.repeat(5_500))));
    expect(batch.reduce((n, e) => n + e.bytes, 0)).toBeLessThan(24_000);
    const result = await transport.send(batch, { timeoutMs: 1 });
    expect(result).toMatchObject({ type: 'fatal', status: 413 });
    expect(platform.requests).toHaveLength(0);
    expect(await transport.send(batch.slice(0, 1), { timeoutMs: 1 })).toEqual({ type: 'ok' });
    expect(Buffer.byteLength(platform.requests[0]!.body as string)).toBeLessThanOrEqual(SNOWPLOW_MAX_POST_BYTES);
  });

  it('rejects bad configuration', () => {
    expect(() => snowplowDestination({ url: 'not a url' })).toThrow(/valid URL/);
    expect(() => snowplowDestination({ url: 'ftp://x' })).toThrow(/http/);
    expect(() => snowplowDestination({ url: 'http://x', maxPostBytes: 10 })).toThrow(/maxPostBytes/);
  });
});
