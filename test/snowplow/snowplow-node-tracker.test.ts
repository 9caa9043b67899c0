// A migration as it happens: Snowplow's own @snowplow/node-tracker 4.8.0 (the same tracker-core as
// @snowplow/browser-tracker) sends page views, page pings, structured and self-describing events to
// the real collector on loopback, by POST to the tp2 path and by GET to /i, and the raw store holds
// each one as an envelope with the schema Snowplow's enrichment names it by.
import {
  buildPagePing,
  buildPageView,
  buildSelfDescribingEvent,
  buildStructEvent,
  newTracker,
  type EmitterConfiguration,
  type PayloadBuilder,
} from '@snowplow/node-tracker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '@tracklane/core';
import { PIXEL_KEY, SERVER_KEY, startCollector, type TestCollector } from '../helpers/collector.js';
import { eventually } from '../helpers/eventually.js';
import { ACCOUNT, CLICK } from '../helpers/tracking-plan.js';

const ENTITY = { schema: ACCOUNT, data: { plan: 'pro' } };
const PAGE = { pageUrl: 'https://shop.example/cart?x=1', pageTitle: 'Cart — Shop', referrer: 'https://search.example/?q=ü' };

let collector: TestCollector;
beforeAll(async () => {
  collector = await startCollector({ durability: 'write' });
});
afterAll(() => collector.close());

/** What the tracker reported of each request it sent. */
interface Sent {
  ok: number;
  failed: number;
  urls: string[];
}

/** A Snowplow node tracker set up like a web app's, sending each event in a request of its own. */
function snowplowTracker(emitter: Partial<EmitterConfiguration>, encodeBase64 = false) {
  const sent: Sent = { ok: 0, failed: 0, urls: [] };
  const tracker = newTracker(
    { namespace: 'sp', appId: 'shop', encodeBase64 },
    {
      endpoint: collector.url,
      bufferSize: 1,
      retryFailedRequests: false,
      customHeaders: { authorization: `Bearer ${SERVER_KEY}` },
      onRequestSuccess: () => void sent.ok++,
      onRequestFailure: () => void sent.failed++,
      ...emitter,
      customFetch: (request: Request) => {
        sent.urls.push(request.url);
        return (emitter.customFetch ?? fetch)(request);
      },
    },
  );
  tracker.setPlatform('web');
  tracker.setDomainUserId('d1a2');
  tracker.setUserId('user-1');
  tracker.setSessionId('8a77d6a6-0005-4000-8000-000900000013');
  tracker.setSessionIndex(7);
  tracker.setUseragent('Mozilla/5.0 (X11)');
  tracker.setLang('de-DE');
  /** Tracks one event (with ENTITY) and sends it; its eid and dtm, as the tracker built them. */
  const track = async (event: PayloadBuilder): Promise<{ eid: string; dtm: string }> => {
    const payload = tracker.track(event, [ENTITY]) as { eid: string; dtm: string };
    await tracker.flush();
    // The tracker reports a request's outcome after its flush resolved.
    await eventually(() => expect(sent.ok + sent.failed).toBe(1), { timeoutMs: 1000, intervalMs: 50, what: "the tracker's report of its request" });
    return payload;
  };
  return { sent, track };
}

const landed = (id: string): Envelope | undefined => collector.records('good').find((record) => record.envelope?.id === id)?.envelope;

/** What every envelope from this tracker carries. */
const fromTracker = (eid: string, dtm: string) => ({
  id: eid,
  entities: [ENTITY],
  ts: { created: new Date(Number(dtm)).toISOString() },
  app: { id: 'shop', platform: 'web' },
  tracker: { name: 'node', version: '4.8.0', namespace: 'sp' },
  user: { anonymousId: 'd1a2', userId: 'user-1', sessionId: '8a77d6a6-0005-4000-8000-000900000013', sessionIndex: 7 },
  consent: { purposes: {} },
  device: { userAgent: 'Mozilla/5.0 (X11)', language: 'de-DE' },
});

const EVENTS: [string, () => PayloadBuilder, Envelope['event'], Envelope['page'] | undefined][] = [
  ['page view', () => buildPageView(PAGE), { schema: 'iglu:com.snowplowanalytics.snowplow/page_view/jsonschema/1-0-0', data: {} }, { url: PAGE.pageUrl, title: PAGE.pageTitle, referrer: PAGE.referrer }],
  [
    'page ping',
    () => buildPagePing({ ...PAGE, minXOffset: 3, maxXOffset: 640, minYOffset: 12, maxYOffset: 2400 }),
    { schema: 'iglu:com.snowplowanalytics.snowplow/page_ping/jsonschema/1-0-0', data: { minXOffset: 3, maxXOffset: 640, minYOffset: 12, maxYOffset: 2400 } },
    { url: PAGE.pageUrl, title: PAGE.pageTitle, referrer: PAGE.referrer },
  ],
  [
    'structured event',
    () => buildStructEvent({ category: 'checkout', action: 'add-to-cart', label: 'sku "42"', property: 'red & blue', value: 19.99 }),
    { schema: 'iglu:com.google.analytics/event/jsonschema/1-0-0', data: { category: 'checkout', action: 'add-to-cart', label: 'sku "42"', property: 'red & blue', value: 19.99 } },
    undefined,
  ],
  ['self-describing event', () => buildSelfDescribingEvent({ event: { schema: CLICK, data: { target: 'buy', label: 'Ünïcode' } } }), { schema: CLICK, data: { target: 'buy', label: 'Ünïcode' } }, undefined],
];

describe.each<[string, Partial<EmitterConfiguration>, RegExp, boolean?]>([
  ['POST /com.snowplowanalytics.snowplow/tp2', { eventMethod: 'post' }, /\/com\.snowplowanalytics\.snowplow\/tp2$/],
  ['GET /i, key in the Authorization header', { eventMethod: 'get' }, /\/i\?/],
  ['GET /i, ue_px and cx in base64 (the trackers\' default)', { eventMethod: 'get' }, /\/i\?.*&cx=/, true],
  [
    'GET /i, key in the query string (a pixel cannot send headers)',
    {
      eventMethod: 'get',
      customHeaders: {},
      // A key in a URL is a browser key: a server key is taken only from the Authorization header.
      customFetch: (request: Request) => fetch(`${request.url}&key=${PIXEL_KEY}`),
    },
    /\/i\?/,
  ],
])('@snowplow/node-tracker → the collector: %s', (_, emitter, path, encodeBase64) => {
  // Self-describing events by POST: collector-tp2.test.ts.
  it.each(emitter.eventMethod === 'post' ? EVENTS.filter(([name]) => name !== 'self-describing event') : EVENTS)('a %s lands as an envelope of its Snowplow schema', async (_name, build, event, page) => {
    const { sent, track } = snowplowTracker(emitter, encodeBase64);
    const { eid, dtm } = await track(build());
    expect(sent).toMatchObject({ ok: 1, failed: 0 });
    expect(sent.urls[0]).toMatch(path);
    const envelope = landed(eid);
    expect(envelope, `event ${eid} in the raw store`).toBeDefined();
    const { ts, ...rest } = envelope!;
    const { ts: tracked, ...expected } = fromTracker(eid, dtm);
    expect(rest).toEqual({ ...expected, event, ...(page ? { page } : {}) });
    expect(ts.created).toBe(tracked.created);
    // stm: the time of sending, set by the tracker on each request.
    expect(Date.parse(ts.sent!)).toBeGreaterThanOrEqual(Date.parse(ts.created));
  });
});

describe('@snowplow/node-tracker → the collector: what the tracker lets through that the schemas refuse', () => {
  it('a structured event without a category lands in the bad store, naming the field', async () => {
    const { sent, track } = snowplowTracker({ eventMethod: 'get' });
    // The tracker's types require a category; JavaScript callers can leave it out.
    const { eid } = await track(buildStructEvent({ action: 'add-to-cart' } as Parameters<typeof buildStructEvent>[0]));
    // A pixel is answered once the event is stored, good or bad: retrying cannot fix it.
    expect(sent).toMatchObject({ ok: 1, failed: 0 });
    expect(landed(eid)).toBeUndefined();
    const bad = collector.records('bad').find((record) => (record.payload as { id?: string }).id === eid);
    expect(bad?.errors).toEqual(["/event/data: must have required property 'category'"]);
  });
});
