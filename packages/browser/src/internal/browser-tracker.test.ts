import 'fake-indexeddb/auto';
import type { Envelope } from '@tracklane/core';
import { collectorDestination } from '@tracklane/core';
import { createStore, keys } from 'idb-keyval';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBrowserTracker, type BrowserTracker, type BrowserTrackerOptions } from './browser-tracker.js';
import packageJson from '../../package.json' with { type: 'json' };
import { TRACKER_NAME, TRACKER_VERSION } from './version.js';
import { eventually } from '../../../../test/helpers/eventually.js';

const COLLECTOR = 'https://collect.test';
const CLICK = 'iglu:com.acme/button_click/jsonschema/1-0-0';
const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-1';

interface Received {
  events: Envelope[];
  url: string;
  contentType: string | null;
}
const received: Received[] = [];
let answer: () => Response = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
const server = setupServer(
  http.post(`${COLLECTOR}/v1/batch`, async ({ request }) => {
    const body = JSON.parse(await request.text()) as { events: Envelope[] };
    received.push({ events: body.events, url: request.url, contentType: request.headers.get('content-type') });
    return answer();
  }),
);
const receivedIds = () => received.flatMap((r) => r.events.map((e) => e.id));

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
let prefix = 0;
const trackers: BrowserTracker[] = [];
beforeEach(() => {
  localStorage.clear();
  received.length = 0;
  answer = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
});
afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.shutdown({ timeoutMs: 100 })));
});
afterAll(() => server.close());

function tracker(options: Partial<BrowserTrackerOptions> = {}, storagePrefix = `t${++prefix}`): BrowserTracker {
  const t = createBrowserTracker({
    appId: 'web-shop',
    destinations: [collectorDestination({ url: COLLECTOR, writeKey: 'wk_browser' })],
    storagePrefix,
    flushIntervalMs: 10,
    retry: { initialBackoffMs: 20, maxBackoffMs: 50, jitter: 0 },
    warn: () => undefined,
    ...options,
  });
  trackers.push(t);
  return t;
}
const storedIds = (storagePrefix: string) => keys(createStore(`${storagePrefix}-collector`, 'events'));

describe('createBrowserTracker', () => {
  it('delivers web envelopes with identity, session, page and device', async () => {
    history.replaceState(null, '', '/shop?q=shoes&email=a@b.c');
    const t = tracker();
    const id = t.track({ schema: CLICK, data: { button_id: 'buy' } });
    await t.flush();
    const [envelope] = received[0]!.events;
    expect(envelope).toMatchObject({
      id,
      app: { id: 'web-shop', platform: 'web' },
      tracker: { name: 'tracklane-browser', version: TRACKER_VERSION },
      page: { url: `${location.origin}/shop?q=shoes` },
      device: { language: navigator.language },
    });
    expect(envelope!.user).toEqual({ anonymousId: expect.any(String), sessionId: expect.any(String), sessionIndex: 1 });
    expect(received[0]!.contentType).toBe('application/json');
    expect(t.getStats()).toMatchObject({ delivered: 1, queued: 0, storage: 'indexeddb', sender: true });
  });

  it('identify and reset change the identity of later events', async () => {
    const t = tracker();
    t.track({ schema: CLICK, data: { button_id: 'a' } });
    t.identify('alice');
    t.track({ schema: CLICK, data: { button_id: 'b' } });
    t.reset();
    t.track({ schema: CLICK, data: { button_id: 'c' } });
    await t.flush();
    const users = received.flatMap((r) => r.events.map((e) => e.user));
    expect(users.map((u) => u.userId)).toEqual([undefined, 'alice', undefined]);
    expect(users[1]!.anonymousId).toBe(users[0]!.anonymousId);
    expect(users[2]!.anonymousId).not.toBe(users[0]!.anonymousId);
  });

  it('keeps events in IndexedDB while the collector fails, and sends them from the next page', async () => {
    answer = () => new HttpResponse(null, { status: 503, headers: { 'retry-after': '60' } });
    const first = tracker({}, 'reload');
    const ids = [1, 2, 3].map((n) => first.track({ schema: CLICK, data: { button_id: `b${n}` } })!);
    await eventually(() => received.length > 0, { what: 'a first request' });
    await first.shutdown({ timeoutMs: 50 });
    expect((await storedIds('reload')).sort()).toEqual([...ids].sort());
    answer = () => HttpResponse.json({ accepted: 3, duplicates: 0, rejected: [] });
    received.length = 0;
    const second = tracker({}, 'reload');
    await eventually(() => receivedIds().length === 3, { what: 'the 3 stored events sent from the next page' });
    await second.flush();
    expect(receivedIds()).toEqual(ids);
    expect(await storedIds('reload')).toEqual([]);
  });

  it('persists consent, restores it on the next page, and purges queued events of a denied purpose', async () => {
    answer = () => new HttpResponse(null, { status: 503, headers: { 'retry-after': '60' } });
    const t = tracker({ consent: { policyVersion: '2' } }, 'consent');
    t.track({ schema: SIGNUP, data: { plan: 'free' } }, { purpose: 'marketing' });
    const kept = t.track({ schema: CLICK, data: { button_id: 'x' } })!;
    await eventually(() => received.length > 0, { what: 'a first request' });
    t.setConsent({ marketing: 'denied' }, { source: 'banner' });
    await eventually(() => t.getStats().dropped.consent_denied === 1, { what: 'the marketing event purged' });
    expect(await storedIds('consent')).toEqual([kept]);
    expect(JSON.parse(localStorage.getItem('consent_consent')!)).toMatchObject({ purposes: { marketing: 'denied' }, policyVersion: '2', source: 'banner' });
    await t.shutdown({ timeoutMs: 10 });
    const next = tracker({ consent: { policyVersion: '2' } }, 'consent');
    expect(next.getConsent().purposes).toEqual({ marketing: 'denied' });
    expect(next.track({ schema: SIGNUP, data: { plan: 'free' } }, { purpose: 'marketing' })).toBeUndefined();
    // consent given under another policy version is asked again
    expect(tracker({ consent: { policyVersion: '3' } }, 'consent').getConsent().purposes).toEqual({});
  });

  it('on pagehide, sends this tab’s unsent events at once as a CORS-simple keepalive request', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const t = tracker({ flushIntervalMs: 60_000 });
    const ids = [1, 2].map((n) => t.track({ schema: CLICK, data: { button_id: `b${n}` } })!);
    await eventually(() => t.getStats().queued === 2, { what: '2 events queued' });
    window.dispatchEvent(new Event('pagehide'));
    // started synchronously, within the pagehide handler
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(fetchSpy.mock.calls[0]![1]).toMatchObject({ keepalive: true });
    await eventually(() => t.getStats().queued === 0, { what: 'an empty queue' });
    expect(received[0]).toMatchObject({ url: `${COLLECTOR}/v1/batch?key=wk_browser`, contentType: 'text/plain' });
    expect(receivedIds()).toEqual(ids);
    await t.flush();
    expect(received).toHaveLength(1); // nothing sent twice
  });

  it('on pagehide right after a denial, sends none of the denied purpose’s events, their purge still on its way', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const t = tracker({ flushIntervalMs: 60_000 });
    t.track({ schema: SIGNUP, data: { plan: 'free' } }, { purpose: 'marketing' });
    const kept = t.track({ schema: CLICK, data: { button_id: 'x' } })!;
    await eventually(() => t.getStats().queued === 2, { what: '2 events queued' });
    t.setConsent({ marketing: 'denied' });
    window.dispatchEvent(new Event('pagehide')); // in the same task: the purge has not run
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    await eventually(() => received.length === 1, { what: 'one request' });
    expect(receivedIds()).toEqual([kept]);
  });

  it('on pagehide, also sends events tracked in the same task, before their store has awaited anything', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const t = tracker({ flushIntervalMs: 60_000 });
    await t.flush(); // the queue is open
    const ids = [1, 2].map((n) => t.track({ schema: CLICK, data: { button_id: `late${n}` } })!);
    window.dispatchEvent(new Event('pagehide'));
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(fetchSpy.mock.calls[0]![1]).toMatchObject({ keepalive: true });
    await eventually(() => received.length === 1, { what: 'one request' });
    expect(receivedIds()).toEqual(ids);
  });

  it('sends events the app tracks in its own pagehide listener (after the tracker’s) with keepalive too', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const t = tracker({ flushIntervalMs: 60_000 });
    await t.flush();
    const leave: string[] = [];
    const onPageHide = () => leave.push(t.track({ schema: CLICK, data: { button_id: 'page-leave' } })!);
    window.addEventListener('pagehide', onPageHide);
    try {
      window.dispatchEvent(new Event('pagehide'));
      await Promise.resolve(); // the microtask checkpoint after the app's listener
      expect(fetchSpy).toHaveBeenCalledTimes(1);
      expect(fetchSpy.mock.calls[0]![1]).toMatchObject({ keepalive: true });
      await eventually(() => received.length === 1, { what: 'one request' });
      expect(receivedIds()).toEqual(leave);
      // shown again from the back-forward cache: events go the usual way again
      window.dispatchEvent(new Event('pageshow'));
      t.track({ schema: CLICK, data: { button_id: 'back' } });
      await Promise.resolve();
      expect(fetchSpy).toHaveBeenCalledTimes(1);
    } finally {
      window.removeEventListener('pagehide', onPageHide);
    }
  });

  it('on pagehide, drops an event that cannot be serialized alone and sends the others', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const dropped: string[] = [];
    const t = tracker({ flushIntervalMs: 60_000, hooks: { onDropped: (events, reason) => dropped.push(...events.map((e) => `${e.id} ${reason}`)) } });
    await t.flush(); // the queue is open
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const before = t.track({ schema: CLICK, data: { button_id: 'before' } })!;
    const poisoned = t.track({ schema: CLICK, data: cycle })!;
    const after = t.track({ schema: CLICK, data: { button_id: 'after' } })!;
    // Stored synchronously within the handler: a throw there would have lost the whole unload send.
    window.dispatchEvent(new Event('pagehide'));
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    await eventually(() => received.length === 1, { what: 'one request' });
    expect(receivedIds()).toEqual([before, after]);
    expect(dropped).toEqual([`${poisoned} invalid`]);
  });

  it('keeps its IndexedDB queue when an event has a purpose IndexedDB cannot store (a Symbol)', async () => {
    const name = `t${++prefix}`;
    const t = tracker({}, name);
    t.track({ schema: CLICK, data: { button_id: 'symbol' } }, { purpose: Symbol('p') as never });
    const id = t.track({ schema: CLICK, data: { button_id: 'fine' } })!;
    await t.flush();
    expect(receivedIds()).toEqual([id]);
    expect(t.getStats()).toMatchObject({ storage: 'indexeddb', delivered: 1, dropped: { invalid: 1 } });
  });

  it('flushes with keepalive when the page is hidden', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const t = tracker({ flushIntervalMs: 60_000 });
    t.track({ schema: CLICK, data: { button_id: 'x' } });
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    await eventually(() => received.length === 1, { what: 'one request' });
    expect(fetchSpy.mock.calls[0]![1]).toMatchObject({ keepalive: true });
  });

  it('resumes at once when the browser is back online, instead of waiting out the backoff', async () => {
    answer = () => HttpResponse.error();
    const t = tracker({ retry: { initialBackoffMs: 60_000, maxBackoffMs: 60_000, jitter: 0 } });
    t.track({ schema: CLICK, data: { button_id: 'x' } });
    await eventually(() => t.getStats().retried === 1, { what: 'a retry' });
    answer = () => HttpResponse.json({ accepted: 1, duplicates: 0, rejected: [] });
    window.dispatchEvent(new Event('online'));
    await eventually(() => t.getStats().delivered === 1, { timeoutMs: 1000, what: 'the delivery, without waiting out the 60 s backoff' });
  });

  it('keeps events in memory when IndexedDB is unavailable, and says so in getStats()', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const t = tracker();
    t.track({ schema: CLICK, data: { button_id: 'x' } });
    await t.flush();
    expect(t.getStats()).toMatchObject({ delivered: 1, storage: 'memory', storageError: 'IndexedDB is unavailable' });
  });

  it('names itself as in package.json', () => {
    expect([TRACKER_NAME, TRACKER_VERSION]).toEqual(['tracklane-browser', packageJson.version]);
  });
});
