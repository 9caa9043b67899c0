// Real headless Chromium sending the tracker protocol to the native collector's
// POST /com.snowplowanalytics.snowplow/tp2, both on loopback: @tracklane/browser with
// snowplowDestination, and Snowplow's own browser tracker driven through snowplowBrowserTrackerBridge.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, openPage, queuedIn, startRig, trackOfflineAcrossReloads, type Rig } from '../browser/harness.js';
import './fixtures/bridge-page-api.js';
import { eventually } from '../helpers/eventually.js';

const TP2 = '/com.snowplowanalytics.snowplow/tp2';

/** A rig (collector, page server, Chromium) serving `page` for the tests of the enclosing describe. */
function rigServing(page?: string): () => Rig {
  let rig: Rig | undefined;
  beforeAll(async () => {
    rig = await startRig(page ? { page: path.join(ROOT, page) } : {});
  });
  afterAll(async () => {
    await rig?.[Symbol.asyncDispose]();
  });
  return () => rig!;
}

describe('snowplowDestination in Chromium, to the collector’s tp2 endpoint', () => {
  // test/browser's page, its tracker sending through snowplowDestination (`?destination=snowplow`)
  const rigOf = rigServing();

  it('500 events tracked offline survive two reloads and land exactly once, over tp2, when back online', async () => {
    const rig = rigOf();
    const started = Date.now();
    const context = await rig.launch();
    const page = await openPage(context, rig.pageUrl({ destination: 'snowplow' }));
    const ids = await trackOfflineAcrossReloads(rig, context, page, 500, 'sp-offline', 'snowplow');
    await eventually(() => rig.landed(ids).missing === 0, { timeoutMs: 30_000, intervalMs: 50, what: 'all 500 events at the collector' });
    await eventually(async () => (await queuedIn(page)) === 0, { timeoutMs: 5000, intervalMs: 50, what: 'an empty queue' });
    const requests = rig.requests; // this rig's collector saw nothing before it was reachable again
    console.log(
      `[e2e snowplow] 500 offline events, 2 reloads: all landed once in ${Date.now() - started} ms, ` +
        `${requests.length} tp2 requests; duplicates reaching the collector: ${await rig.duplicates()}`,
    );
    expect(rig.landed(ids)).toEqual({ missing: 0, twice: 0 });
    expect(rig.bad()).toEqual([]);
    expect(requests.length).toBeGreaterThanOrEqual(10); // batches of at most 50 tp2 payloads
    expect(requests.every((r) => r.path === TP2 && r.contentType === 'application/json; charset=UTF-8')).toBe(true);

    // What landed is what was tracked, as the tracker protocol carries it back.
    const byId = new Map(rig.good().map((envelope) => [envelope.id, envelope]));
    const first = byId.get(ids[0]!)!;
    expect(first).toMatchObject({
      event: { schema: 'iglu:com.acme/feature_used/jsonschema/1-0-0', data: { feature: 'search', workspace_id: 'sp-offline-0' } },
      app: { id: 'e2e-web', platform: 'web' },
      tracker: { name: 'tracklane-browser' },
      consent: { purposes: {}, source: 'default' },
      page: { url: expect.stringContaining('/?collector=') as unknown },
    });
    expect(first.user.anonymousId).toEqual(expect.any(String));
    expect(ids.map((id) => byId.get(id)!.event.data.workspace_id)).toEqual(ids.map((_, i) => `sp-offline-${i}`));
    await context.close();
  });
});

describe('@snowplow/browser-tracker driven by snowplowBrowserTrackerBridge in Chromium', () => {
  const rigOf = rigServing('test/snowplow/fixtures/bridge-page.ts');

  it('holds events until consent, then Snowplow’s tracker delivers them with the returned ids, PII hashed and consent attached', async () => {
    const rig = rigOf();
    const context = await rig.launch();
    const page = await context.newPage();
    await page.goto(rig.pageUrl());
    await page.waitForFunction(() => 'bridgePage' in window);
    const features = await page.evaluate(() => window.bridgePage.features(20, 'bridge'));
    const signup = await page.evaluate(() => window.bridgePage.signup('jane@example.com'));
    const ids = [...features, signup].filter((id): id is string => typeof id === 'string');
    expect(new Set(ids).size).toBe(21);
    expect((await page.evaluate(() => window.bridgePage.stats())).heldForConsent).toBe(21);
    expect(rig.requests).toEqual([]);

    await page.evaluate(() => window.bridgePage.grant());
    await eventually(() => rig.landed(ids).missing === 0, { timeoutMs: 20_000, intervalMs: 50, what: 'the 21 events at the collector' });
    expect(rig.landed(ids)).toEqual({ missing: 0, twice: 0 });
    expect(rig.bad()).toEqual([]);
    expect(rig.requests.every((r) => r.path === TP2)).toBe(true);
    const byId = new Map(rig.good().map((envelope) => [envelope.id, envelope]));
    const landedSignup = byId.get(signup!)!;
    expect(landedSignup).toMatchObject({
      event: { schema: 'iglu:com.acme/signup/jsonschema/1-0-1', data: { email: createHash('sha256').update('jane@example.com').digest('hex'), plan: 'team' } },
      app: { id: 'e2e-web', platform: 'web' },
      tracker: { name: 'js', version: '4.10.1', namespace: 'sp' },
      consent: { purposes: { analytics: 'granted', marketing: 'granted' }, policyVersion: 'v7', source: 'banner' },
    });
    expect(JSON.stringify(rig.good())).not.toContain('jane@example.com');
    expect(features.map((id) => byId.get(id!)!.event.data.workspace_id)).toEqual(features.map((_, i) => `bridge-${i}`));

    await page.evaluate(() => window.bridgePage.denyMarketing());
    expect(await page.evaluate(() => window.bridgePage.signup('late@example.com'))).toBeUndefined();
    await context.close();
  });
});
