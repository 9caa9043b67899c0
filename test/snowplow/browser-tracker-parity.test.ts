// @vitest-environment happy-dom
// Side by side with Snowplow's own @snowplow/browser-tracker 4.10.1: the same generated track call,
// once through @tracklane/browser with snowplowDestination and once through the real Snowplow browser
// tracker (driven by snowplowBrowserTrackerBridge), yields the same value in every tracker-protocol
// field both set. Both trackers read the same (happy-dom) page and POST to the same collector URL,
// whose requests msw reads.
import { newTracker, setUserId, trackSelfDescribingEvent } from '@snowplow/browser-tracker';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserTracker } from '@tracklane/browser';
import { createProductEntity, createUserContextEntity, trackCheckoutStarted, type CheckoutStarted } from '@tracklane/example-tracking-plan';
import { CONSENT_SCHEMA, snowplowBrowserTrackerBridge, snowplowDestination } from '@tracklane/snowplow';
import { eventually } from '../helpers/eventually.js';

const COLLECTOR = 'https://sp.parity.test';
/**
 * Differ by nature: the event id, the device clock at track and send time, the session each tracker
 * keeps, and `tv`, which names the tracker (`tracklane-browser-0.1.0` against `js-4.10.1`).
 */
const SET_ASIDE = new Set(['eid', 'dtm', 'stm', 'sid', 'tv']);

const payloads: Record<string, string>[] = [];
const server = setupServer(
  http.post(`${COLLECTOR}/com.snowplowanalytics.snowplow/tp2`, async ({ request }) => {
    payloads.push(...(JSON.parse(await request.text()) as { data: Record<string, string>[] }).data);
    return new HttpResponse(null, { status: 200 });
  }),
);
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  // The page both trackers describe.
  history.replaceState(null, '', '/cart?step=2&coupon=spring');
  document.title = 'Warenkorb — Shop ✓';
  Object.defineProperty(document, 'referrer', { value: 'https://search.example/?q=shoes', configurable: true });
});
afterAll(() => server.close());

const CART: CheckoutStarted = {
  cart_id: '6d1f5b1e-9c8e-4a53-8a61-5ab2a6a8d3b0',
  items: [{ sku: 'SKU-ü-1', quantity: 2, unit_price: 9.5 }, { sku: '"quoted"', quantity: 1, unit_price: 0 }],
  currency: 'EUR',
  total: 19,
};
const TRUE_TIME = Date.UTC(2026, 2, 1, 9, 59, 59, 999);
const decode = (value: string, base64: boolean) => JSON.parse(base64 ? Buffer.from(value, 'base64url').toString('utf8') : value);


describe('@tracklane/snowplow next to @snowplow/browser-tracker 4.10.1 (happy-dom)', () => {
  for (const encodeBase64 of [false, true]) {
    it(`same value in every field both set (encodeBase64: ${encodeBase64})`, async () => {
      const namespace = `shop-web-${encodeBase64 ? 'b64' : 'json'}`;
      const entities = () => [
        createProductEntity({ sku: 'SKU-ü-1', name: 'Schuh', price: 9.5, currency: 'EUR' }),
        createUserContextEntity({ user_id: 'user-1', role: 'member', email: 'jane@example.com' }),
      ];

      // Snowplow's tracker, driven by the generated function through the bridge.
      const bridge = snowplowBrowserTrackerBridge({ trackSelfDescribingEvent, trackers: [namespace] });
      const sp = newTracker(namespace, COLLECTOR, {
        appId: 'shop',
        platform: 'web',
        encodeBase64,
        eventMethod: 'post',
        bufferSize: 1,
        contexts: { webPage: false, session: false, browser: false },
        plugins: [bridge.plugin],
      })!;
      setUserId('user-1', [namespace]);
      const theirId = trackCheckoutStarted(bridge, CART, { entities: entities(), trueTimestamp: TRUE_TIME });

      // Tracklane's browser tracker with the Snowplow destination; the same user as Snowplow's tracker.
      const tracker = createBrowserTracker({
        appId: 'shop',
        namespace,
        destinations: [snowplowDestination({ url: COLLECTOR, encodeBase64 })],
        storagePrefix: namespace,
        flushIntervalMs: 10,
        warn: () => {},
      });
      tracker.identify('user-1');
      const ourId = trackCheckoutStarted(tracker, CART, { entities: entities(), trueTimestamp: TRUE_TIME, user: { anonymousId: sp.getDomainUserId() } });

      const theirs = await eventually(() => payloads.find((p) => p.eid === theirId) ?? false, { timeoutMs: 10_000, what: "Snowplow's event at the collector" });
      const ours = await eventually(() => payloads.find((p) => p.eid === ourId) ?? false, { timeoutMs: 10_000, what: 'our event at the collector' });
      await tracker.shutdown();
      expect(theirs.tv).toBe('js-4.10.1');
      expect(ours.tv).toBe('tracklane-browser-0.1.0');

      // What only Tracklane sends: Snowplow's browser tracker sends the page title with page views
      // only, and leaves the user agent to the collector (the request's User-Agent header).
      expect(Object.keys(ours).filter((key) => !(key in theirs) && !SET_ASIDE.has(key)).sort()).toEqual(['page', 'ua']);
      expect(ours.page).toBe(document.title);
      expect(ours.ua).toBe(navigator.userAgent);
      const shared = Object.keys(ours).filter((key) => key in theirs && !SET_ASIDE.has(key));
      const [ue, co] = encodeBase64 ? ['ue_px', 'cx'] : ['ue_pr', 'co'];
      expect(shared.sort()).toEqual(['e', 'tna', 'aid', 'p', 'ttm', 'duid', 'uid', 'vid', 'url', 'refr', 'lang', 'tz', 'res', ue, co].sort());
      for (const key of shared.filter((k) => k !== co && k !== ue)) expect.soft(ours[key], key).toBe(theirs[key]);
      expect(ours.url).toMatch(/\/cart\?step=2&coupon=spring$/);
      expect(ours.ttm).toBe(String(TRUE_TIME));
      expect(decode(ours[ue]!, encodeBase64)).toEqual(decode(theirs[ue]!, encodeBase64));
      // The contexts: the same entities (PII applied alike), consent entity last; Snowplow's trackers
      // name the wrapper contexts 1-0-0, Tracklane 1-0-1.
      const ourContexts = decode(ours[co]!, encodeBase64);
      const theirContexts = decode(theirs[co]!, encodeBase64);
      expect(ourContexts.data).toEqual(theirContexts.data);
      expect(ourContexts.data.map((e: { schema: string }) => e.schema)).toEqual([
        'iglu:com.acme/product/jsonschema/1-0-0',
        'iglu:com.acme/user_context/jsonschema/1-0-0',
        CONSENT_SCHEMA,
      ]);
      expect(ourContexts.data[1].data.email).toBe('[redacted]');
    });
  }
});
