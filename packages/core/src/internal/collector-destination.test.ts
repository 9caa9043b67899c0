import { describe, expect, it } from 'vitest';
import { collectorDestination, interpretCollectorResponse } from './collector-destination.js';
import type { Envelope } from './envelope.js';
import type { StoredEvent } from './store.js';
import type { HttpClient, HttpRequest, HttpResponse } from './transport.js';
import { storedEventOf } from './wire-format.js';

const response = (status: number, headers: Record<string, string> = {}, text = ''): HttpResponse => ({
  status,
  header: (name) => headers[name.toLowerCase()],
  text,
});

const envelope = (id: string, data: Record<string, unknown> = {}): StoredEvent =>
  storedEventOf(
    {
      id,
      event: { schema: 'iglu:com.acme/x/jsonschema/1-0-0', data },
      ts: { created: '2026-01-01T00:00:00.000Z' },
      app: { id: 'a', platform: 'srv' },
      tracker: { name: 't', version: '0' },
      user: {},
      consent: { purposes: {} },
    },
    'analytics',
    0,
  );

function recordingHttp(answer: (request: HttpRequest) => Promise<HttpResponse>, withGzip = true) {
  const requests: HttpRequest[] = [];
  const http: HttpClient = {
    post: (request) => {
      requests.push(request);
      return answer(request);
    },
    ...(withGzip ? { gzip: (body: string) => Promise.resolve(new TextEncoder().encode(`gz:${body.length}`)) } : {}),
  };
  return { http, requests };
}

describe('interpretCollectorResponse: HTTP status → retry decision', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [200, {}, { type: 'ok' }],
    [204, {}, { type: 'ok' }],
    [400, {}, { type: 'fatal', reason: 'HTTP 400', status: 400 }],
    [401, {}, { type: 'fatal', reason: 'HTTP 401', status: 401 }],
    [403, {}, { type: 'fatal', reason: 'HTTP 403', status: 403 }],
    [413, {}, { type: 'fatal', reason: 'HTTP 413', status: 413 }],
    [408, {}, { type: 'retryable', reason: 'HTTP 408' }],
    [429, { 'retry-after': '7' }, { type: 'retryable', reason: 'HTTP 429', retryAfterMs: 7000 }],
    [503, { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, { type: 'retryable', reason: 'HTTP 503', retryAfterMs: 5000 }],
    [503, { 'retry-after': 'garbage' }, { type: 'retryable', reason: 'HTTP 503' }],
    [500, {}, { type: 'retryable', reason: 'HTTP 500' }],
    [502, {}, { type: 'retryable', reason: 'HTTP 502' }],
  ])('%i %j → %j', (status, headers, expected) => {
    expect(interpretCollectorResponse(response(status, headers), now)).toEqual(expected);
  });

  it('reads rejected events from a 200 answer and tolerates a body that is not JSON', () => {
    const body = JSON.stringify({ accepted: 1, duplicates: 0, rejected: [{ id: 'e2', errors: ['/data/n: must be integer'] }] });
    expect(interpretCollectorResponse(response(200, {}, body), now)).toEqual({
      type: 'ok',
      rejected: [{ id: 'e2', errors: ['/data/n: must be integer'] }],
    });
    expect(interpretCollectorResponse(response(200, {}, '"rejected" <html>'), now)).toEqual({ type: 'ok' });
  });
});

describe('collectorDestination', () => {
  it('POSTs {sentAt, events} to /v1/batch with the write key, stamping ts.sent on every event', async () => {
    const { http, requests } = recordingHttp(() => Promise.resolve(response(200, {}, '{"accepted":2}')));
    const transport = collectorDestination({ url: 'http://127.0.0.1:9/base/', writeKey: 'wk_secret' }).createTransport({ http, warn: () => {} });
    const result = await transport.send([envelope('e1'), envelope('e2')], { timeoutMs: 1000 });
    expect(result).toEqual({ type: 'ok' });
    const [request] = requests;
    expect(request!.url).toBe('http://127.0.0.1:9/base/v1/batch');
    expect(request!.headers).toMatchObject({ authorization: 'Bearer wk_secret', 'content-type': 'application/json' });
    const body = JSON.parse(request!.body as string) as { sentAt: string; events: Envelope[] };
    expect(body.events.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(body.events.every((e) => e.ts.sent === body.sentAt)).toBe(true);
  });

  it('gzips bodies above the threshold, and only those', async () => {
    const { http, requests } = recordingHttp(() => Promise.resolve(response(200)));
    const transport = collectorDestination({ url: 'http://h', writeKey: 'k', gzipThresholdBytes: 1000 }).createTransport({ http, warn: () => {} });
    await transport.send([envelope('small')], { timeoutMs: 1000 });
    await transport.send([envelope('large', { text: 'x'.repeat(2000) })], { timeoutMs: 1000 });
    expect(requests[0]!.headers['content-encoding']).toBeUndefined();
    expect(requests[1]!.headers['content-encoding']).toBe('gzip');
    expect(requests[1]!.body).toBeInstanceOf(Uint8Array);
  });

  it('reports a network error as retryable, without the write key in the reason', async () => {
    const { http } = recordingHttp(() => Promise.reject(new Error('ECONNRESET')));
    const transport = collectorDestination({ url: 'http://h', writeKey: 'wk_secret' }).createTransport({ http, warn: () => {} });
    const result = await transport.send([envelope('e1')], { timeoutMs: 1000 });
    expect(result).toEqual({ type: 'retryable', reason: 'network error: ECONNRESET' });
    expect(JSON.stringify(result)).not.toContain('wk_secret');
  });

  it.each([
    [{ url: 'not a url', writeKey: 'k' }, /not a valid URL/],
    [{ url: 'ftp://h', writeKey: 'k' }, /must be http/],
    [{ url: 'http://h', writeKey: '' }, /writeKey/],
  ])('throws a clear error for %j', (options, message) => {
    expect(() => collectorDestination(options)).toThrow(message);
  });
});
