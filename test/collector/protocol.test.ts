// The native collector protocol (docs/design.md), against the real collector and file sink on loopback.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_KEY, BROWSER_ORIGIN, SERVER_KEY, startCollector, type TestCollector } from '../helpers/collector.js';
import { ACCOUNT, CLICK, PURCHASE, batch, envelope, invalidEnvelope } from '../helpers/tracking-plan.js';

let collector: TestCollector;
beforeAll(async () => {
  collector = await startCollector();
});
afterAll(() => collector.close());

const goodIds = (): string[] => collector.records('good').map((r) => r.envelope!.id);

describe('accept', () => {
  it('lands every event of a valid batch in good/date=…/hour=…/part-*.jsonl with the envelope, receivedAt and a truncated client IP', async () => {
    const events = [envelope(), envelope({ event: { schema: PURCHASE, data: { orderId: 'o-1', total: 12.5, currency: 'EUR' } } }), envelope({ entities: [] })];
    const before = Date.now();
    const answer = await collector.post(batch(events));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.json).toEqual({ accepted: 3, duplicates: 0, rejected: [] });

    const stored = collector.records('good').filter((r) => events.some((e) => e.id === r.envelope!.id));
    expect(stored).toHaveLength(3);
    for (const record of stored) {
      const sent = events.find((e) => e.id === record.envelope!.id)!;
      expect(record.envelope).toEqual(sent);
      expect(record.clientIp).toBe('127.0.0.0');
      expect(Date.parse(record.receivedAt)).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(record.receivedAt)).toBeLessThanOrEqual(Date.now());
      // The hour it was received in; the default instance id is <hostname>-<pid>.
      const [dir, file] = [path.dirname(path.relative(collector.dataDir, record.file)), path.basename(record.file)];
      expect(dir).toBe(path.join('good', `date=${record.receivedAt.slice(0, 10)}`, `hour=${record.receivedAt.slice(11, 13)}`));
      expect(file).toMatch(new RegExp(`^part-.+-${process.pid}\\.jsonl$`));
    }
  });

  it("partitions by the receive time, never by the event's own: old and far-future events land in the hour they arrived, their ts kept", async () => {
    const old = envelope({ ts: { created: '2025-06-07T08:09:10.000Z', sent: new Date().toISOString() } });
    // Year 10000 in UTC: no four-digit year to name a partition after.
    const far = envelope({ ts: { created: '9999-12-31T23:59:59-23:59' } });
    expect((await collector.post(batch([old, far]))).json).toMatchObject({ accepted: 2 });
    for (const sent of [old, far]) {
      const record = collector.records('good').find((r) => r.envelope!.id === sent.id)!;
      expect(record.envelope!.ts).toEqual(sent.ts);
      expect(path.dirname(path.relative(collector.dataDir, record.file))).toBe(path.join('good', `date=${record.receivedAt.slice(0, 10)}`, `hour=${record.receivedAt.slice(11, 13)}`));
    }
  });

  it.each<[string, { contentType?: string | null; gzip?: boolean }]>([
    ['gzip', { gzip: true }],
    ['application/json; charset=utf-8', { contentType: 'application/json; charset=utf-8' }],
    ['no Content-Type', { contentType: null }],
    ['text/plain (sendBeacon, no preflight)', { contentType: 'text/plain;charset=UTF-8' }],
  ])('reads a body sent as %s', async (_name, options) => {
    const event = envelope();
    const answer = await collector.post(batch([event]), options);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(goodIds()).toContain(event.id);
  });

  it('takes the client IP from X-Forwarded-For only behind a trusted proxy (the entry it appended), and truncates it (IPv6 to /48)', async () => {
    await using proxied = await startCollector({ trustProxy: true });
    // The first entry is the client's own claim; the proxy appended the address it saw.
    const forwarded = { 'x-forwarded-for': '10.0.0.1, 2001:db8:abcd:12:3456:789a:bcde:f012' };
    const behindProxy = envelope();
    await proxied.post(batch([behindProxy]), { headers: forwarded });
    expect(proxied.records('good').find((r) => r.envelope!.id === behindProxy.id)!.clientIp).toBe('2001:db8:abcd::');

    const direct = envelope();
    await collector.post(batch([direct]), { headers: forwarded });
    expect(collector.records('good').find((r) => r.envelope!.id === direct.id)!.clientIp).toBe('127.0.0.0');
  });

  it('answers an empty batch with nothing accepted', async () => {
    expect((await collector.post(batch([]))).json).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
  });
});

describe('reject', () => {
  it.each<[string, () => ReturnType<typeof envelope>, RegExp]>([
    ['unknown schema', () => envelope({ event: { schema: 'iglu:com.example/click/jsonschema/9-0-0', data: {} } }), /^\/event\/schema: unknown schema iglu:com.example\/click\/jsonschema\/9-0-0$/],
    ['unknown entity schema', () => envelope({ entities: [{ schema: 'iglu:com.example/nope/jsonschema/1-0-0', data: {} }] }), /^\/entities\/0\/schema: unknown schema/],
    ['invalid data', () => invalidEnvelope(), /^\/event\/data: must have required property 'target'$/],
    ['invalid entity data', () => envelope({ entities: [{ schema: ACCOUNT, data: { plan: 'platinum' } }] }), /^\/entities\/0\/data\/plan: must be equal to one of the allowed values$/],
    ['invalid envelope', () => envelope({ app: { id: 'shop', platform: 'toaster' as 'web' } }), /^\/app\/platform: must be equal to one of the allowed values$/],
    ['another app than the key allows', () => envelope({ app: { id: 'intruder', platform: 'web' } }), /^\/app\/id: "intruder" is not the app of this write key$/],
  ])('%s: 200 with the id and reasons; the payload is kept in the bad store', async (_name, make, reason) => {
    const event = make();
    const answer = await collector.post(batch([event]), { key: BROWSER_KEY, headers: { origin: BROWSER_ORIGIN } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ accepted: 0, duplicates: 0, rejected: [{ id: event.id }] });
    expect(answer.json.rejected[0].errors).toHaveLength(1);
    expect(answer.json.rejected[0].errors[0]).toMatch(reason);

    const bad = collector.records('bad').filter((r) => (r.payload as { id?: string } | null)?.id === event.id);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.payload).toEqual(event);
    expect(bad[0]!.errors).toEqual(answer.json.rejected[0].errors);
    expect(bad[0]!.clientIp).toBe('127.0.0.0');
    expect(goodIds()).not.toContain(event.id);
  });

  it('a mixed batch keeps the good events and rejects only the bad ones', async () => {
    const good = [envelope(), envelope(), envelope()];
    const bad = [invalidEnvelope(), envelope({ id: 'not-a-uuid' })];
    const answer = await collector.post(batch([good[0], bad[0], good[1], 42, bad[1], good[2]]));
    expect(answer.status).toBe(200);
    expect(answer.json.accepted).toBe(3);
    expect(answer.json.rejected.map((r: { id: string | null }) => r.id)).toEqual([bad[0]!.id, null, 'not-a-uuid']);
    expect(goodIds()).toEqual(expect.arrayContaining(good.map((e) => e.id)));
    const badPayloads = collector.records('bad').map((r) => r.payload);
    expect(badPayloads).toEqual(expect.arrayContaining([bad[0], 42, bad[1]]));
  });

  it.each<[string, string]>([
    ['not JSON', '{"events": ['],
    ['a JSON array', '[]'],
    ['no events field', '{"sentAt": "now"}'],
    ['events that is not an array', '{"events": {"0": {}}}'],
  ])('an unreadable body (%s) is a 400', async (_name, body) => {
    const answer = await collector.post(body);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: expect.any(String) });
  });
});

describe('dedup', () => {
  it('lands an id sent twice once and counts the duplicate', async () => {
    const event = envelope();
    expect((await collector.post(batch([event]))).json).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await collector.post(batch([event]))).json).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(goodIds().filter((id) => id === event.id)).toHaveLength(1);
  });

  it('lands an id repeated within one batch once', async () => {
    const event = envelope();
    const other = envelope();
    expect((await collector.post(batch([event, other, event, event]))).json).toEqual({ accepted: 2, duplicates: 2, rejected: [] });
    expect(goodIds().filter((id) => id === event.id)).toHaveLength(1);
  });

  it('dedups concurrent retries of the same batch', async () => {
    const events = Array.from({ length: 20 }, () => envelope());
    const answers = await Promise.all(Array.from({ length: 5 }, () => collector.post(batch(events))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.reduce((sum, a) => sum + a.json.accepted, 0)).toBe(20);
    expect(answers.reduce((sum, a) => sum + a.json.duplicates, 0)).toBe(80);
    const landed = goodIds();
    for (const event of events) expect(landed.filter((id) => id === event.id)).toHaveLength(1);
  });
});

describe('auth', () => {
  it.each<[string, Parameters<TestCollector['post']>[1], string]>([
    ['no key at all', { key: null }, 'missing write key'],
    ['an unknown key', { key: 'sk_guess' }, 'unknown write key'],
    ['an unknown key in ?key= of a beacon', { key: null, query: { key: 'sk_guess' }, contentType: 'text/plain' }, 'unknown write key'],
    ['any key in ?key= of a JSON POST (a fetch can set headers)', { key: null, query: { key: 'sk_guess' } }, 'send the write key as Authorization: Bearer (?key= is taken only from beacons and pixels)'],
    ['the server key in ?key= of a beacon', { key: null, query: { key: SERVER_KEY }, contentType: 'text/plain' }, 'a server key is taken only from the Authorization header, never from the URL'],
    ['a Basic authorization', { key: null, headers: { authorization: `Basic ${Buffer.from(`x:${SERVER_KEY}`).toString('base64')}` } }, 'missing write key'],
    ['a key that differs by case', { key: SERVER_KEY.toUpperCase() }, 'unknown write key'],
  ])('401 for %s, and nothing lands', async (_name, options, message) => {
    const event = envelope();
    const answer = await collector.post(batch([event]), options);
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: message });
    expect(goodIds()).not.toContain(event.id);
  });

  it('takes the key from ?key= (sendBeacon cannot set headers) with a text/plain body', async () => {
    const event = envelope();
    const answer = await collector.post(batch([event]), { key: null, query: { key: BROWSER_KEY }, contentType: 'text/plain;charset=UTF-8', headers: { origin: BROWSER_ORIGIN } });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(BROWSER_ORIGIN);
    expect(goodIds()).toContain(event.id);
  });
});

describe('CORS', () => {
  const preflight = (origin?: string) =>
    collector.request('OPTIONS', '/v1/batch', {
      ...(origin ? { origin } : {}),
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    });

  it('answers a preflight from a listed origin with 204 and the allowed method and headers', async () => {
    const answer = await preflight(BROWSER_ORIGIN);
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(BROWSER_ORIGIN);
    expect(answer.headers['access-control-allow-methods']).toContain('POST');
    const allowed = answer.headers['access-control-allow-headers']!.split(',').map((h) => h.trim());
    expect(allowed).toEqual(expect.arrayContaining(['content-type', 'authorization', 'content-encoding']));
    expect(answer.headers.vary).toContain('Origin');
  });

  it.each([['https://evil.example'], ['https://shop.example.test.evil.example'], ['http://shop.example.test'], [undefined]])('refuses a preflight from %s with 403 and no allow-origin', async (origin) => {
    const answer = await preflight(origin);
    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows the browser key from its listed origin, echoing exactly that origin', async () => {
    const answer = await collector.post(batch([envelope()]), { key: BROWSER_KEY, headers: { origin: BROWSER_ORIGIN } });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(BROWSER_ORIGIN);
    expect(answer.headers.vary).toContain('Origin');
  });

  it.each<[string, string, string]>([
    ['a server key used from a browser origin', SERVER_KEY, BROWSER_ORIGIN],
    ['the browser key from an unlisted origin', BROWSER_KEY, 'https://evil.example'],
  ])('403 for %s, with no allow-origin header', async (_name, key, origin) => {
    const event = envelope();
    const answer = await collector.post(batch([event]), { key, headers: { origin } });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ error: 'origin not allowed for this write key' });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(goodIds()).not.toContain(event.id);
  });

  it('sends no allow-origin header to requests without an Origin', async () => {
    const answer = await collector.post(batch([envelope()]));
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('other routes', () => {
  it('GET /healthz → 200', async () => {
    expect(await collector.request('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('GET /readyz → 200 with the number of schemas loaded', async () => {
    // The test plan's 3 and the collector's 3 built-in Snowplow schemas (page view, page ping, structured event).
    expect(await collector.request('GET', '/readyz')).toMatchObject({ status: 200, json: { status: 'ready', schemas: 6 } });
  });

  it.each([['GET'], ['PUT'], ['DELETE']])('%s /v1/batch → 405 with Allow', async (method) => {
    const answer = await collector.request(method, '/v1/batch');
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST, OPTIONS');
  });

  it('an unknown path → 404', async () => {
    expect((await collector.request('POST', '/v2/batch', { authorization: `Bearer ${SERVER_KEY}` }, '{}')).status).toBe(404);
  });

  it('GET /metrics exposes the documented series in Prometheus text format', async () => {
    await collector.post(batch([envelope(), invalidEnvelope()]));
    const answer = await collector.request('GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    const text = answer.text;
    for (const [name, type] of [
      ['tracklane_collector_requests_total', 'counter'],
      ['tracklane_collector_events_total', 'counter'],
      ['tracklane_collector_batch_size', 'histogram'],
      ['tracklane_collector_request_duration_seconds', 'histogram'],
      ['tracklane_collector_sink_write_duration_seconds', 'histogram'],
      ['tracklane_collector_sink_errors_total', 'counter'],
    ]) {
      expect(text, name).toContain(`# TYPE ${name} ${type}`);
    }
    expect(text).toMatch(/tracklane_collector_requests_total\{route="\/v1\/batch",status="200"\} \d+/);
    expect(text).toMatch(/tracklane_collector_requests_total\{route="\/v1\/batch",status="401"\} \d+/);
    expect(text).toContain(`tracklane_collector_events_total{outcome="accepted",schema="${CLICK}",reason=""}`);
    expect(text).toContain(`tracklane_collector_events_total{outcome="duplicate",schema="${CLICK}",reason=""}`);
    expect(text).toContain(`tracklane_collector_events_total{outcome="rejected",schema="${CLICK}",reason="invalid_data"}`);
    expect(text).toContain('tracklane_collector_events_total{outcome="rejected",schema="unknown",reason="unknown_schema"}');
    expect(text).toMatch(/tracklane_collector_sink_write_duration_seconds_count\{sink="file"\} [1-9]/);
    expect(text).toMatch(/tracklane_collector_batch_size_bucket\{le="1"\} [1-9]/);
    expect(text).toContain('tracklane_collector_process_cpu_seconds_total');
  });

  it('keeps metric labels bounded: an unknown schema is labelled "unknown", not by its URI', async () => {
    await collector.post(batch([envelope({ event: { schema: 'iglu:com.attacker/x1/jsonschema/1-0-0', data: {} } })]));
    expect(await collector.metrics()).not.toContain('com.attacker');
  });
});
