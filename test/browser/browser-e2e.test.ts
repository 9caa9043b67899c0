// @tracklane/browser in real headless Chromium against the real collector, both on loopback.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage, queuedIn, reloadPage, startRig, trackOfflineAcrossReloads, type Rig } from './harness.js';
import { eventually } from '../helpers/eventually.js';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterEach(() => rig.setReachable(true));
afterAll(async () => {
  await rig?.[Symbol.asyncDispose]();
});

describe('@tracklane/browser in Chromium', () => {
  it('(a) 500 events tracked offline survive two reloads and land exactly once when back online', async () => {
    const started = Date.now();
    const duplicatesBefore = await rig.duplicates();
    const context = await rig.launch();
    const page = await openPage(context, rig.pageUrl());
    const ids = await trackOfflineAcrossReloads(rig, context, page, 500, 'offline', 'collector');
    await eventually(() => rig.landed(ids).missing === 0, { timeoutMs: 20_000, intervalMs: 50, what: 'all 500 events at the collector' });
    await eventually(async () => (await queuedIn(page)) === 0, { timeoutMs: 5000, intervalMs: 50, what: 'an empty queue' });
    const duplicates = (await rig.duplicates()) - duplicatesBefore;
    console.log(`[e2e a] 500 offline events, 2 reloads: all landed once in ${Date.now() - started} ms; duplicates reaching the collector: ${duplicates}`);
    expect(rig.landed(ids)).toEqual({ missing: 0, twice: 0 });
    expect(rig.bad()).toEqual([]);
    await context.close();
  });

  it('(b) two tabs tracking at once: no loss, one sender, no duplicate reaching the collector', async () => {
    const started = Date.now();
    const duplicatesBefore = await rig.duplicates();
    const requestsBefore = rig.requests.length;
    const context = await rig.launch();
    const tabs = [await openPage(context, rig.pageUrl()), await openPage(context, rig.pageUrl())];
    // 20 bursts of 50 events per tab, interleaved with the other tab's
    const burst = (tag: string) =>
      (async () => {
        const ids: string[] = [];
        for (let chunk = 0; chunk < 20; chunk++) {
          ids.push(...window.e2e.features(50, `${tag}-${chunk}`));
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return ids;
      })();
    const ids = (await Promise.all(tabs.map((tab, n) => tab.evaluate(burst, `tab${n}`)))).flat();
    expect(new Set(ids).size).toBe(2000);
    await eventually(() => rig.landed(ids).missing === 0, { timeoutMs: 20_000, intervalMs: 50, what: 'all 2000 events at the collector' });
    const senders = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.e2e.stats().sender)));
    expect(senders.filter(Boolean)).toHaveLength(1);
    await eventually(async () => (await Promise.all(tabs.map(queuedIn))).every((q) => q === 0), { timeoutMs: 5000, intervalMs: 50, what: 'both tabs see an empty queue' });
    const duplicates = (await rig.duplicates()) - duplicatesBefore;
    console.log(
      `[e2e b] 2 tabs x 1000 events: all landed in ${Date.now() - started} ms, ${rig.requests.length - requestsBefore} requests; ` +
        `duplicates reaching the collector (before its dedup): ${duplicates}`,
    );
    expect(rig.landed(ids)).toEqual({ missing: 0, twice: 0 });
    expect(duplicates).toBe(0);

    // The sender dies with events queued (collector unreachable): the other tab takes over and sends them.
    const [sender, survivor] = senders[0] ? [tabs[0]!, tabs[1]!] : [tabs[1]!, tabs[0]!];
    rig.setReachable(false);
    const orphans = await sender.evaluate(() => window.e2e.features(100, 'orphan'));
    await eventually(async () => (await queuedIn(survivor)) === 100, { timeoutMs: 5000, intervalMs: 50, what: 'the other tab to see the queue' });
    await sender.close();
    rig.setReachable(true);
    await eventually(() => rig.landed(orphans).missing === 0, { timeoutMs: 20_000, intervalMs: 50, what: 'the dead tab’s events sent by the other tab' });
    expect(await survivor.evaluate(() => window.e2e.stats().sender)).toBe(true);
    await context.close();
  });

  it('(c) events tracked right before the tab closes arrive through keepalive or beacon', async () => {
    const duplicatesBefore = await rig.duplicates();
    const requestsBefore = rig.requests.length;
    const context = await rig.launch();
    // no interval flush within the test: only the unload path can send these
    const page = await openPage(context, rig.pageUrl({ flushMs: 600_000 }));
    await eventually(() => page.evaluate(() => window.e2e.stats().sender), { timeoutMs: 5000, intervalMs: 50, what: 'the tab to be the sender' });
    const ids = await page.evaluate(() => window.e2e.features(20, 'closing'));
    const closed = Date.now();
    await page.close({ runBeforeUnload: true });
    // 20 s like the other landing waits: the whole suite on 2 cores can be slow (it timed out at 10 s once).
    await eventually(() => rig.landed(ids).missing === 0, { timeoutMs: 20_000, intervalMs: 50, what: 'the events of the closed tab' }).catch((error: unknown) => {
      console.log('requests since close', rig.requests.slice(requestsBefore), 'landed', rig.landed(ids), 'bad', rig.bad().length);
      throw error;
    });
    const requests = rig.requests.slice(requestsBefore);
    console.log(
      `[e2e c] 20 events tracked right before close: at the collector ${Date.now() - closed} ms after close, via ` +
        `${requests.map((r) => `${r.contentType}${r.keyInQuery ? ' ?key' : ''} sec-fetch-mode=${r.secFetchMode}`).join(', ')}; ` +
        `duplicates: ${(await rig.duplicates()) - duplicatesBefore}`,
    );
    expect(requests.every((r) => r.contentType === 'text/plain' && r.keyInQuery)).toBe(true);
    expect(rig.landed(ids)).toEqual({ missing: 0, twice: 0 });
    await context.close();
  });

  it('(c2) an event the app tracks in its own pagehide listener, as the tab closes, arrives through keepalive or beacon', async () => {
    const context = await rig.launch();
    const page = await openPage(context, rig.pageUrl({ flushMs: 600_000 }));
    await eventually(() => page.evaluate(() => window.e2e.stats().sender), { timeoutMs: 5000, intervalMs: 50, what: 'the tab to be the sender' });
    // Registered after the tracker's own pagehide listener, as an app's would be.
    const before = await page.evaluate(() => {
      window.addEventListener('pagehide', () => window.e2e.features(1, 'page-leave'));
      return window.e2e.features(3, 'before-leave');
    });
    await page.close({ runBeforeUnload: true });
    const leaving = () => rig.good().filter((e) => e.event.data.workspace_id?.toString().startsWith('page-leave'));
    // 20 s, as in (c): the same keepalive or beacon after the tab closed, which once took over 10 s there.
    await eventually(() => rig.landed(before).missing === 0 && leaving().length > 0, { timeoutMs: 20_000, intervalMs: 50, what: 'the events of the closed tab, the pagehide one included' });
    expect(leaving()).toHaveLength(1);
    expect(rig.landed(before)).toEqual({ missing: 0, twice: 0 });
    await context.close();
  });

  it('(d) consent denied: nothing of that purpose reaches the collector, including events queued before', async () => {
    const context = await rig.launch();
    const page = await openPage(context, rig.pageUrl());
    rig.setReachable(false);
    const analytics = await page.evaluate(() => window.e2e.features(50, 'consent'));
    const necessary = await page.evaluate(() => window.e2e.orders(10, 'consent'));
    await eventually(async () => (await queuedIn(page)) === 60, { timeoutMs: 5000, intervalMs: 50, what: '60 events queued' });
    await page.evaluate(() => window.e2e.tracker.setConsent({ analytics: 'denied' }));
    // Queued analytics events go at once; one already in flight to the unreachable collector is dropped
    // when that attempt ends, which can take the tracker's 10 s request timeout.
    await eventually(async () => (await queuedIn(page)) === 10, { timeoutMs: 15_000, intervalMs: 50, what: 'the analytics events purged' });
    expect(await page.evaluate(() => window.e2e.features(5, 'after'))).toEqual([]);
    // the denial is kept: a reload neither tracks nor sends analytics events
    await reloadPage(page);
    expect(await page.evaluate(() => window.e2e.features(5, 'reloaded'))).toEqual([]);
    rig.setReachable(true);
    await eventually(() => rig.landed(necessary).missing === 0, { timeoutMs: 10_000, intervalMs: 50, what: 'the necessary events' });
    await page.evaluate(() => window.e2e.tracker.flush());
    // Nothing of the denied purpose may land later either: the relay resets what it cannot reach, so
    // once the page's tracker has nothing queued or in flight, no request of its is still on the way.
    await eventually(() => page.evaluate(() => window.e2e.stats().queued === 0 && window.e2e.stats().inFlight === 0), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'the tracker idle: nothing queued or in flight',
    });
    const good = new Set(rig.good().map((e) => e.id));
    expect(analytics.filter((id) => good.has(id))).toEqual([]);
    expect(rig.good().filter((e) => e.event.schema.includes('feature_used') && e.event.data.workspace_id?.toString().startsWith('consent'))).toEqual([]);
    expect(rig.bad()).toEqual([]);
    await context.close();
  });

  it('(e) events tracked right before a reload, their writes still committing, survive it with the collector unreachable', async () => {
    const context = await rig.launch();
    const page = await openPage(context, rig.pageUrl());
    rig.setReachable(false);
    const ids: string[] = [];
    for (let round = 0; round < 5; round++) {
      // No wait: the reload comes while the burst's IndexedDB transactions are still open.
      ids.push(...(await page.evaluate((n) => window.e2e.features(300, `reload${n}`), round)));
      await reloadPage(page);
    }
    await expectEachLandsOnceWhenReachable(page, ids);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes(':unsaved:')))).toEqual([]);
    await context.close();
  });

  it('(f) a burst larger than one intake chunk, tracked right before a reload, survives it with the collector unreachable', async () => {
    const context = await rig.launch();
    const page = await openPage(context, rig.pageUrl());
    rig.setReachable(false);
    // 3,000 events are stored in chunks of 1,000 over several tasks; the reload comes after the first.
    const ids = await page.evaluate(() => window.e2e.features(3000, 'burst'));
    await reloadPage(page);
    await expectEachLandsOnceWhenReachable(page, ids);
    await context.close();
  });

  it('(g) page context follows a single-page app: each event carries the filtered url of its track() call', async () => {
    const context = await rig.launch();
    const page = await openPage(context, rig.pageUrl());
    const { origin, ids } = await page.evaluate(() => {
      const trackOne = (tag: string) => window.e2e.features(1, tag)[0]!;
      const ids = [trackOne('spa-load')];
      history.pushState(null, '', '/pricing?plan=pro&email=ann%40example.com');
      ids.push(trackOne('spa-pushed'));
      location.hash = 'faq';
      ids.push(trackOne('spa-hash'));
      document.title = 'FAQ';
      ids.push(trackOne('spa-title'));
      return { origin: location.origin, ids };
    });
    await eventually(() => rig.landed(ids).missing === 0, { timeoutMs: 10_000, intervalMs: 50, what: 'the four events' });
    const pages = ids.map((id) => rig.good().find((envelope) => envelope.id === id)!.page);
    expect(pages[0]!.url).toMatch(new RegExp(`^${origin}/\\?`));
    expect(pages[0]!.url).not.toMatch(/[?&]key=/); // the write key in the page's own query is a denied parameter
    expect(pages.slice(1).map((p) => p?.url)).toEqual([`${origin}/pricing?plan=pro`, `${origin}/pricing?plan=pro#faq`, `${origin}/pricing?plan=pro#faq`]);
    expect(pages[3]!.title).toBe('FAQ');
    await context.close();
  });
});

/** Expects every id queued in the page, then, the collector reachable again, landed exactly once. */
async function expectEachLandsOnceWhenReachable(page: Page, ids: readonly string[]): Promise<void> {
  await eventually(async () => (await queuedIn(page)) === ids.length, { timeoutMs: 10_000, intervalMs: 50, what: `${ids.length} events queued after the reloads` });
  rig.setReachable(true);
  await page.evaluate(() => window.e2e.tracker.flush());
  await eventually(() => rig.landed(ids).missing === 0, { timeoutMs: 20_000, intervalMs: 50, what: 'every event at the collector' });
  expect(rig.landed(ids)).toEqual({ missing: 0, twice: 0 });
}
