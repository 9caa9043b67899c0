// Write keys as an attacker tries them, against the real collector on loopback: a server key is
// taken only from the Authorization header (URLs end up in proxy logs); `?key=` only on the requests
// that cannot set headers (a beacon's text/plain POST, the tp2 POST, a pixel) and only for browser
// keys. Refusals are logged without the key. Rate limits count per key and per client address, wrong
// keys included, so one holder of a public browser key cannot spend everyone's budget. Each case:
// the answer, the collector still healthy, and a concurrent normal client's events stored once.
import { beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_KEY, BROWSER_ORIGIN, PIXEL_KEY, SERVER_KEY, httpRequest, startCollector, type HttpAnswer, type TestCollector } from '../helpers/collector.js';
import { collectorWithNormalClient, expectEachOnce, expectHealthy, startNormalClient } from '../helpers/normal-client.js';
import { batch, envelope } from '../helpers/tracking-plan.js';

const TP2 = '/com.snowplowanalytics.snowplow/tp2';

/** A request from a given loopback address (127.0.0.0/8 is all ours): distinct clients without a proxy. */
const from = (localAddress: string, collector: TestCollector, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<HttpAnswer> =>
  httpRequest(new URL(target, collector.url), method, headers, body, { localAddress });

const pixelQuery = (key: string | undefined, id: string): string =>
  new URLSearchParams({ e: 'pv', eid: id, aid: 'shop', p: 'web', url: 'https://shop.example.test/', ...(key === undefined ? {} : { key }) }).toString();

describe('where a write key may be presented', () => {
  const setup = collectorWithNormalClient();
  let collector: TestCollector;
  beforeAll(() => void (collector = setup.collector));
  const goodIds = (): string[] => collector.records('good').map((r) => r.envelope!.id);

  it.each<[string, () => Promise<HttpAnswer>, string]>([
    ['a server key in ?key= of a beacon (text/plain)', () => collector.post(batch([envelope()]), { key: null, query: { key: SERVER_KEY }, contentType: 'text/plain' }), 'a server key is taken only from the Authorization header, never from the URL'],
    ['a server key in ?key= of a pixel', () => collector.request('GET', `/i?${pixelQuery(SERVER_KEY, crypto.randomUUID())}`), 'a server key is taken only from the Authorization header, never from the URL'],
    ['a server key in ?key= of the tp2 POST', () => collector.request('POST', `${TP2}?key=${SERVER_KEY}`, { 'content-type': 'application/json' }, JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: [{ e: 'pv', aid: 'shop', p: 'web' }] })), 'a server key is taken only from the Authorization header, never from the URL'],
    ['a browser key in ?key= of an application/json POST (a fetch can set headers)', () => collector.post(batch([envelope()]), { key: null, query: { key: BROWSER_KEY }, headers: { origin: BROWSER_ORIGIN } }), 'send the write key as Authorization: Bearer (?key= is taken only from beacons and pixels)'],
    ['a server key in ?key= of an application/json POST', () => collector.post(batch([envelope()]), { key: null, query: { key: SERVER_KEY } }), 'send the write key as Authorization: Bearer (?key= is taken only from beacons and pixels)'],
  ])('401 for %s; nothing lands; the log names the reason and the key only by its hash', async (_name, send, message) => {
    const logsBefore = collector.logs.length;
    const answer = await send();
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: message });
    const refused = collector.logs.slice(logsBefore).map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'authentication failed');
    expect(refused).toEqual([expect.objectContaining({ level: 'warn', status: 401, keyId: expect.stringMatching(/^[0-9a-f]{8}$/), clientIp: '127.0.0.0' })]);
    for (const line of collector.logs) for (const secret of [SERVER_KEY, BROWSER_KEY, PIXEL_KEY]) expect(line).not.toContain(secret);
    await expectHealthy(collector.url);
  });

  it('takes a browser key from ?key= where headers cannot be set: a beacon, the tp2 POST, a pixel', async () => {
    const beacon = envelope();
    const answer = await collector.post(batch([beacon]), { key: null, query: { key: BROWSER_KEY }, contentType: 'text/plain;charset=UTF-8', headers: { origin: BROWSER_ORIGIN } });
    expect(answer.status).toBe(200);
    const tp2 = await collector.request('POST', `${TP2}?key=${PIXEL_KEY}`, { 'content-type': 'application/json' }, JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: [{ e: 'pv', eid: crypto.randomUUID(), aid: 'shop', p: 'web' }] }));
    expect(tp2.status).toBe(200);
    const pixelId = crypto.randomUUID();
    const pixel = await collector.request('GET', `/i?${pixelQuery(PIXEL_KEY, pixelId)}`);
    expect(pixel.status).toBe(200);
    expect(pixel.headers['content-type']).toBe('image/gif');
    expect(goodIds()).toEqual(expect.arrayContaining([beacon.id, pixelId]));
    for (const record of collector.records('good')) expect(JSON.stringify(record)).not.toContain(PIXEL_KEY);
    await expectHealthy(collector.url);
  });

  it('takes any key from the Authorization header, on every route', async () => {
    expect((await collector.post(batch([envelope()]))).status).toBe(200);
    expect((await collector.request('GET', `/i?${pixelQuery(undefined, crypto.randomUUID())}`, { authorization: `Bearer ${SERVER_KEY}` })).status).toBe(200);
  });

  it('logs a wrong key without it (no hash either: it may be a real secret of another system)', async () => {
    const wrong = 'sk_live_someone_elses_secret_0042';
    const logsBefore = collector.logs.length;
    expect((await collector.post(batch([envelope()]), { key: wrong })).status).toBe(401);
    const [entry] = collector.logs.slice(logsBefore).map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.msg === 'authentication failed');
    expect(entry).toEqual({ time: expect.any(String), level: 'warn', msg: 'authentication failed', reason: 'unknown_key', route: '/v1/batch', status: 401, clientIp: '127.0.0.0' });
    expect(collector.logs.join('\n')).not.toContain(wrong);
  });
});

describe('rate limits per key and per client address', () => {
  it('a flood with a public browser key from one address is refused there (429, Retry-After); the key still serves other addresses', async () => {
    // Key budget 40 at once; an address gets 5. Before per-address limits, the flood spent all 40.
    await using collector = await startCollector({ limits: { rateLimit: { requestsPerSecond: 20, burst: 40, perAddress: { requestsPerSecond: 0.25, burst: 5 } } } });
    const normal = startNormalClient(() => collector.url, { batchSize: 5 });
    const beacon = (address: string) =>
      from(address, collector, 'POST', `/v1/batch?key=${BROWSER_KEY}`, { 'content-type': 'text/plain', origin: BROWSER_ORIGIN }, JSON.stringify(batch([envelope()])));
    const flood = await Promise.all(Array.from({ length: 100 }, () => beacon('127.0.0.2')));
    const statuses = flood.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(95);
    const refused = flood.find((a) => a.status === 429)!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['access-control-allow-origin']).toBe(BROWSER_ORIGIN); // the page can read its 429
    // Other browsers, elsewhere, with the same public key: served.
    for (const address of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) expect((await beacon(address)).status).toBe(200);
    expect(await collector.metrics()).toMatch(/tracklane_collector_rate_limited_total\{scope="address"\} 95/);
    await normal.stop();
    // The normal client has a key budget of its own (20/s, which it may exceed: then it retries).
    expect([...normal.refusals.keys()].every((status) => status === 429)).toBe(true);
    expectEachOnce(normal.acked, collector.records('good'));
    await expectHealthy(collector.url);
  });

  it('a flood of wrong keys is limited per address: 429 past the budget, every attempt counted', async () => {
    await using collector = await startCollector({ limits: { rateLimit: { perAddress: { requestsPerSecond: 0.25, burst: 10 } } } });
    const normal = startNormalClient(() => collector.url, { batchSize: 5 });
    const guesses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => from('127.0.0.6', collector, 'POST', '/v1/batch', { authorization: `Bearer sk_guess_${i}`, 'content-type': 'application/json' }, '{}')),
    );
    expect(guesses.filter((a) => a.status === 401)).toHaveLength(10);
    expect(guesses.filter((a) => a.status === 429)).toHaveLength(290);
    // The address is refused whatever key it tries next, until its budget refills.
    expect((await from('127.0.0.6', collector, 'POST', '/v1/batch', { authorization: 'Bearer sk_guess_again', 'content-type': 'application/json' }, '{}')).status).toBe(429);
    // Another address guessing is judged on its own.
    expect((await from('127.0.0.7', collector, 'POST', '/v1/batch', { authorization: 'Bearer sk_guess_x', 'content-type': 'application/json' }, '{}')).status).toBe(401);
    // 10 logged in the flood's second; the 11th too unless it came within that second (10 lines a second at most).
    const failures = collector.logs.filter((line) => line.includes('"msg":"authentication failed"'));
    expect(failures.length).toBeGreaterThanOrEqual(10);
    expect(failures.length).toBeLessThanOrEqual(11);
    expect(await collector.metrics()).toMatch(/tracklane_collector_auth_failures_total\{reason="unknown_key"\} 11/);
    await normal.stop();
    expect(normal.refusals.size).toBe(0);
    expectEachOnce(normal.acked, collector.records('good'));
    await expectHealthy(collector.url);
  });

  it('logs at most 10 refused keys a second in all, however many addresses send them; the next line counts the rest', async () => {
    await using collector = await startCollector();
    const addresses = Array.from({ length: 50 }, (_, i) => `127.0.1.${i + 1}`);
    await Promise.all(addresses.map((address) => from(address, collector, 'POST', '/v1/batch', { authorization: 'Bearer sk_nope', 'content-type': 'application/json' }, '{}')));
    const lines = collector.logs.filter((line) => line.includes('"msg":"authentication failed"'));
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(await collector.metrics()).toMatch(/tracklane_collector_auth_failures_total\{reason="unknown_key"\} 50/);
    await expectHealthy(collector.url);
  });

  it('behind a trusted proxy, a client that writes its own X-Forwarded-For entries is still one address', async () => {
    await using collector = await startCollector({ trustProxy: true, limits: { rateLimit: { perAddress: { requestsPerSecond: 0.25, burst: 3 } } } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      // What the proxy forwards: the client's made-up entry, then the address the proxy saw.
      const forwarded = `198.51.100.${i}, 203.0.113.9`;
      const answer = await collector.post(batch([envelope()]), { key: BROWSER_KEY, headers: { origin: BROWSER_ORIGIN, 'x-forwarded-for': forwarded } });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
    expect(new Set(collector.records('good').map((r) => r.clientIp))).toEqual(new Set(['203.0.113.0']));
  });
});
