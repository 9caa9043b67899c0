// Snowplow's pixel endpoint on the real collector over loopback: `GET /i` (and `/ice.png`, and a GET
// of the tp2 path, as a Snowplow collector takes them) with one tracker-protocol payload in the query
// string, answered with a transparent 1×1 GIF once the event is stored; the write key, CORS, URL
// length and rate limits of the POST route; the right status for each refusal.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TP2_PATH } from '@tracklane/snowplow';
import { BROWSER_KEY, BROWSER_ORIGIN, PIXEL_KEY, SERVER_KEY, startCollector, type HttpAnswer, type TestCollector } from '../helpers/collector.js';
import { CLICK } from '../helpers/tracking-plan.js';

/** A page view as a pixel tag would send it; `eid` fresh each time, as the collector dedups. */
const pageView = (fields: Record<string, string> = {}): Record<string, string> & { eid: string } => ({
  e: 'pv',
  eid: randomUUID(),
  dtm: String(Date.UTC(2026, 2, 4, 5, 6, 7)),
  tv: 'js-4.10.1',
  aid: 'shop',
  p: 'web',
  duid: 'd1a2',
  url: 'https://shop.example/p?id=7&ref=mail',
  page: 'Product — 7',
  ...fields,
});
const query = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** A 1×1 GIF, the answer to every pixel that was stored. */
function expectPixel(answer: HttpAnswer): void {
  expect(answer.status).toBe(200);
  expect(answer.headers['content-type']).toBe('image/gif');
  expect(answer.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
  const gif = Buffer.from(answer.text, 'latin1');
  expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
  // Logical screen width and height, little-endian: 1 × 1.
  expect([gif.readUInt16LE(6), gif.readUInt16LE(8)]).toEqual([1, 1]);
}

/** A GET answered with its body as latin1, so the GIF's bytes survive. */
const get = async (collector: TestCollector, pathAndQuery: string, headers: Record<string, string> = {}): Promise<HttpAnswer> => {
  const response = await fetch(new URL(pathAndQuery, collector.url), { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('latin1');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), text, json };
};

const goodById = (collector: TestCollector, id: string) => collector.records('good').filter((record) => record.envelope?.id === id);
const badByEid = (collector: TestCollector, eid: string) => collector.records('bad').filter((record) => (record.payload as { eid?: string; id?: string }).eid === eid || (record.payload as { id?: string }).id === eid);

describe('collector: GET /i (Snowplow pixel)', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startCollector({ durability: 'write' });
  });
  afterAll(() => collector.close());

  it('answers a page view with the GIF once it is stored; the write key in the query string is not stored', async () => {
    const fields = pageView();
    const answer = await get(collector, `/i?${query({ ...fields, key: PIXEL_KEY })}`);
    expectPixel(answer);
    expect(goodById(collector, fields.eid)).toHaveLength(1);
    expect(goodById(collector, fields.eid)[0]!.envelope).toMatchObject({
      id: fields.eid,
      event: { schema: 'iglu:com.snowplowanalytics.snowplow/page_view/jsonschema/1-0-0', data: {} },
      ts: { created: '2026-03-04T05:06:07.000Z' },
      app: { id: 'shop', platform: 'web' },
      tracker: { name: 'js', version: '4.10.1' },
      user: { anonymousId: 'd1a2' },
      page: { url: fields.url, title: fields.page },
    });
    expect(JSON.stringify(collector.records('good'))).not.toContain(PIXEL_KEY);
  });

  it.each([['/ice.png'], [TP2_PATH]])('GET %s is a pixel too, as on a Snowplow collector', async (path) => {
    const fields = pageView();
    expectPixel(await get(collector, `${path}?${query({ ...fields, key: PIXEL_KEY })}`));
    expect(goodById(collector, fields.eid)).toHaveLength(1);
  });

  it('takes the key from Authorization: Bearer too (a tracker sending GET with headers)', async () => {
    const fields = pageView();
    expectPixel(await get(collector, `/i?${query(fields)}`, { authorization: `Bearer ${SERVER_KEY}` }));
    expect(goodById(collector, fields.eid)).toHaveLength(1);
  });

  it('a hand-made e-mail open pixel (no eid, no device time) lands with an id and time of its own', async () => {
    const label = randomUUID();
    const before = Date.now();
    expectPixel(await get(collector, `/i?e=se&se_ca=email&se_ac=open&se_la=${label}&aid=newsletter&p=web&key=${PIXEL_KEY}`));
    const [record] = collector.records('good').filter((r) => (r.envelope?.event.data as { label?: string }).label === label);
    expect(record!.envelope).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      event: { schema: 'iglu:com.google.analytics/event/jsonschema/1-0-0', data: { category: 'email', action: 'open', label } },
    });
    expect(Date.parse(record!.envelope!.ts.created)).toBeGreaterThanOrEqual(before - 1);
  });

  it('dedups by eid, like the POST routes', async () => {
    const fields = pageView();
    for (let i = 0; i < 3; i++) expectPixel(await get(collector, `/i?${query({ ...fields, key: PIXEL_KEY })}`));
    expect(goodById(collector, fields.eid)).toHaveLength(1);
  });

  it('a bad value is kept in the bad store naming the field, and answered with the GIF (retrying cannot fix it)', async () => {
    const struct = { ...pageView(), e: 'se', se_ca: 'checkout', se_ac: 'add', se_va: 'twelve' };
    expectPixel(await get(collector, `/i?${query({ ...struct, key: PIXEL_KEY })}`));
    const ping = { ...pageView(), e: 'pp', pp_mix: '0', pp_max: '10.5' };
    expectPixel(await get(collector, `/i?${query({ ...ping, key: PIXEL_KEY })}`));
    expect(goodById(collector, struct.eid)).toEqual([]);
    expect(badByEid(collector, struct.eid).map((r) => r.errors)).toEqual([['/event/data/value: must be number']]);
    expect(badByEid(collector, ping.eid).map((r) => r.errors)).toEqual([['/event/data/maxXOffset: must be integer']]);
  });

  it('an unsupported event type is kept in the bad store as it came, without the write key', async () => {
    const transaction = { ...pageView(), e: 'tr', tr_id: 'o-1', tr_tt: '12.50' };
    expectPixel(await get(collector, `/i?${query({ ...transaction, key: PIXEL_KEY })}`));
    expect(badByEid(collector, transaction.eid)).toEqual([
      expect.objectContaining({ payload: transaction, errors: ['/e: unsupported tracker protocol event type "tr"'] }),
    ]);
    expect(JSON.stringify(collector.records('bad'))).not.toContain(PIXEL_KEY);
  });

  it('400 for a query string with no payload', async () => {
    const answer = await get(collector, `/i?key=${PIXEL_KEY}`);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: 'no tracker protocol payload in the query string' });
  });

  it('the write key and CORS rules of the POST route', async () => {
    const fields = pageView();
    expect(await get(collector, `/i?${query(fields)}`)).toMatchObject({ status: 401, json: { error: 'missing write key' } });
    expect(await get(collector, `/i?${query({ ...fields, key: 'nope' })}`)).toMatchObject({ status: 401, json: { error: 'unknown write key' } });
    // A server key never in a URL (proxies log URLs), and never from a browser.
    expect(await get(collector, `/i?${query({ ...fields, key: SERVER_KEY })}`)).toMatchObject({ status: 401, json: { error: 'a server key is taken only from the Authorization header, never from the URL' } });
    expect((await get(collector, `/i?${query(fields)}`, { origin: BROWSER_ORIGIN, authorization: `Bearer ${SERVER_KEY}` })).status).toBe(403);
    expect((await get(collector, `/i?${query({ ...fields, key: BROWSER_KEY })}`, { origin: 'https://evil.example' })).status).toBe(403);
    expect(goodById(collector, fields.eid)).toEqual([]);

    const fromPage = await get(collector, `/i?${query({ ...fields, key: BROWSER_KEY })}`, { origin: BROWSER_ORIGIN });
    expectPixel(fromPage);
    expect(fromPage.headers['access-control-allow-origin']).toBe(BROWSER_ORIGIN);
    expect(goodById(collector, fields.eid)).toHaveLength(1);

    // The browser key is bound to app 'shop': another app's event is kept as bad.
    const other = pageView({ aid: 'blog' });
    expectPixel(await get(collector, `/i?${query({ ...other, key: BROWSER_KEY })}`, { origin: BROWSER_ORIGIN }));
    expect(badByEid(collector, other.eid).map((r) => r.errors)).toEqual([['/app/id: "blog" is not the app of this write key']]);

    const preflight = await collector.request('OPTIONS', '/i', { origin: BROWSER_ORIGIN, 'access-control-request-method': 'GET' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET');
    expect((await collector.request('OPTIONS', '/i', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await collector.request('OPTIONS', TP2_PATH, { origin: BROWSER_ORIGIN })).headers['access-control-allow-methods']).toBe('GET, POST');
  });

  it.each<[string, string, string]>([
    ['HEAD', '/i', 'GET, OPTIONS'],
    ['POST', '/i', 'GET, OPTIONS'],
    ['PUT', '/ice.png', 'GET, OPTIONS'],
    ['HEAD', TP2_PATH, 'GET, POST, OPTIONS'],
    ['DELETE', TP2_PATH, 'GET, POST, OPTIONS'],
  ])('%s %s → 405 with Allow, nothing stored', async (method, path, allow) => {
    const fields = pageView();
    const answer = await collector.request(method, `${path}?${query({ ...fields, key: PIXEL_KEY })}`);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe(allow);
    expect(goodById(collector, fields.eid)).toEqual([]);
  });
});

describe('collector: GET /i limits', () => {
  it('414 for a URL over maxUrlBytes, nothing stored; a longer limit than Node allows by default is honoured', async () => {
    await using small = await startCollector({ durability: 'write', limits: { maxUrlBytes: 2048 } });
    const fields = pageView({ page: 'x'.repeat(2048) });
    const answer = await get(small, `/i?${query({ ...fields, key: PIXEL_KEY })}`);
    expect(answer.status).toBe(414);
    expect(answer.json).toEqual({ error: 'URL longer than 2048 bytes' });
    expect(goodById(small, fields.eid)).toEqual([]);
    expectPixel(await get(small, `/i?${query({ ...pageView({ page: 'x'.repeat(1500) }), key: PIXEL_KEY })}`));

    // Node refuses a request head over 16 KiB (431) unless told otherwise.
    await using large = await startCollector({ durability: 'write', limits: { maxUrlBytes: 32_768 } });
    const click = { schema: CLICK, data: { target: 'buy', meta: { blob: 'y'.repeat(24_000) } } };
    const long = pageView({ e: 'ue', ue_pr: JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0', data: click }) });
    expectPixel(await get(large, `/i?${query({ ...long, key: PIXEL_KEY })}`));
    expect(goodById(large, long.eid)[0]!.envelope!.event).toEqual(click);
  });

  it('429 with Retry-After past the rate limit of the write key, shared with the POST routes', async () => {
    await using limited = await startCollector({ durability: 'write', limits: { rateLimit: { requestsPerSecond: 1, burst: 2 } } });
    const serverKey = { authorization: `Bearer ${SERVER_KEY}` };
    expectPixel(await get(limited, `/i?${query(pageView())}`, serverKey));
    expect((await limited.post({ sentAt: new Date().toISOString(), events: [] })).status).toBe(200);
    const fields = pageView();
    const answer = await get(limited, `/i?${query(fields)}`, serverKey);
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(goodById(limited, fields.eid)).toEqual([]);
  });

  it('503 with Retry-After when the sink cannot take writes (the GIF only once the event is stored)', async () => {
    await using failing = await startCollector({
      sink: () => ({ name: 'failing', write: () => Promise.reject(new Error('disk full')), isReady: () => false, close: () => Promise.resolve() }),
    });
    const answer = await get(failing, `/i?${query({ ...pageView(), key: PIXEL_KEY })}`);
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(answer.headers['content-type']).toBe('application/json');
  });
});
