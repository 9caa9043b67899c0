// @vitest-environment happy-dom
// The bridge driving the real @snowplow/browser-tracker 4.10.1 with the example plan's generated
// track functions; the tracker's own requests to its collector are read with msw.
import { createHash } from 'node:crypto';
import { flushBuffer, newTracker, trackSelfDescribingEvent } from '@snowplow/browser-tracker';
import AjvModule from 'ajv-draft-04';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DropReason, REDACTED, TracklaneErrorCode } from '@tracklane/core';
import type { Envelope } from '@tracklane/core';
import {
  createUserContextEntity,
  trackFeatureUsed,
  trackSignup,
  trackSubscriptionChanged,
} from '@tracklane/example-tracking-plan';
import { snowplowBrowserTrackerBridge, type SnowplowBrowserTrackerBridgeOptions, type SnowplowTrackSelfDescribingEvent } from './browser-tracker-bridge.js';
import { CONSENT_SCHEMA, UNSTRUCT_EVENT_SCHEMA } from './tracker-protocol.js';
import { loadIgluSchema, packageRoot } from './test-support.js';
import { eventually } from '../../../../test/helpers/eventually.js';

const COLLECTOR = 'https://sp.test';
const SIGNUP = 'iglu:com.acme/signup/jsonschema/1-0-1';
const FEATURE = 'iglu:com.acme/feature_used/jsonschema/1-0-0';
const SUBSCRIPTION = 'iglu:com.acme/subscription_changed/jsonschema/1-0-0';
const USER_CONTEXT = 'iglu:com.acme/user_context/jsonschema/1-0-0';

/** Every tp2 payload the Snowplow trackers POSTed, in arrival order. */
const payloads: Record<string, string>[] = [];
const server = setupServer(
  http.post(`${COLLECTOR}/com.snowplowanalytics.snowplow/tp2`, async ({ request }) => {
    payloads.push(...(JSON.parse(await request.text()) as { data: Record<string, string>[] }).data);
    return new HttpResponse(null, { status: 200 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const Ajv = AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
const validateConsent = ajv.compile(loadIgluSchema(packageRoot, CONSENT_SCHEMA));

// Snowplow's own function is what the option's type describes.
const realTrackSelfDescribingEvent: SnowplowTrackSelfDescribingEvent = trackSelfDescribingEvent;

let trackerCount = 0;
/** A bridge and a fresh Snowplow tracker (its own namespace) with the bridge's plugin. */
function setUp(options: Partial<SnowplowBrowserTrackerBridgeOptions> = {}) {
  const namespace = `sp${++trackerCount}`;
  const bridge = snowplowBrowserTrackerBridge({ trackSelfDescribingEvent: realTrackSelfDescribingEvent, trackers: [namespace], warn: () => {}, ...options });
  newTracker(namespace, COLLECTOR, { appId: 'shop', eventMethod: 'post', bufferSize: 1, contexts: { webPage: false }, plugins: [bridge.plugin] });
  const sent = () => payloads.filter((p) => p.tna === namespace);
  /** Waits until the tracker has POSTed `n` events, and returns them. */
  const received = async (n: number) => {
    flushBuffer({ newBufferSize: 1 });
    await eventually(() => expect(sent().length).toBeGreaterThanOrEqual(n), { timeoutMs: 5000, what: `${n} requests from Snowplow's tracker` });
    return sent();
  };
  return { bridge, namespace, sent, received };
}

const json = (text: string | undefined) => JSON.parse(text!) as { schema: string; data: any };
const eventOf = (payload: Record<string, string>) => {
  const ue = json(payload.ue_pr);
  expect(ue.schema).toBe(UNSTRUCT_EVENT_SCHEMA);
  return ue.data as { schema: string; data: Record<string, unknown> };
};
/** The contexts of a payload; checks that the last one is a valid consent entity. */
const contextsOf = (payload: Record<string, string>) => {
  const co = json(payload.co);
  expect(co.schema).toMatch(/^iglu:com\.snowplowanalytics\.snowplow\/contexts\/jsonschema\/1-0-\d$/);
  const entities = co.data as { schema: string; data: Record<string, unknown> }[];
  const consent = entities.at(-1)!;
  expect(consent.schema).toBe(CONSENT_SCHEMA);
  if (!validateConsent(consent.data)) throw new Error(`consent entity: ${ajv.errorsText(validateConsent.errors)}`);
  return entities;
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('snowplowBrowserTrackerBridge with @snowplow/browser-tracker 4.10.1', () => {
  it('a generated track function drives the Snowplow tracker: PII transformed first, consent attached, eid is the returned id', async () => {
    const { bridge, received, namespace } = setUp({
      consent: { purposes: { marketing: 'granted' }, policyVersion: 'v2', source: 'banner' },
    });
    const id = trackSignup(
      bridge,
      { email: 'jane@example.com', plan: 'team', utm_campaign: 'spring' },
      { entities: [createUserContextEntity({ user_id: 'u-1', role: 'owner', email: 'jane@example.com' })] },
    );
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [payload] = await received(1);
    expect(payload).toMatchObject({ e: 'ue', eid: id, aid: 'shop', tna: namespace, p: 'web' });
    expect(payload!.tv).toMatch(/^js-4\.10\.1$/);
    expect(eventOf(payload!)).toEqual({ schema: SIGNUP, data: { email: sha256('jane@example.com'), plan: 'team', utm_campaign: 'spring' } });
    expect(contextsOf(payload!)).toEqual([
      { schema: USER_CONTEXT, data: { user_id: 'u-1', role: 'owner', email: REDACTED } },
      { schema: CONSENT_SCHEMA, data: { purposes: { marketing: 'granted' }, policyVersion: 'v2', source: 'banner' } },
    ]);
    expect(JSON.stringify(payload)).not.toContain('jane@example.com');
    expect(bridge.getStats()).toMatchObject({ tracked: 1, delivered: 1, queued: 0, dropped: {} });
  });

  it('pending consent holds events; a grant hands them over in order with the new snapshot, a denial drops them', async () => {
    const dropped: [string, DropReason][] = [];
    const { bridge, received, sent } = setUp({
      consent: { default: 'pending' },
      hooks: { onDropped: (events, reason) => dropped.push(...events.map((e): [string, DropReason] => [e.event.schema, reason])) },
    });
    const features = ['a', 'b', 'c'].map((w) => trackFeatureUsed(bridge, { feature: 'search', workspace_id: w }));
    const signup = trackSignup(bridge, { email: 'held@example.com', plan: 'free' });
    // `necessary` is never gated: it goes at once, carrying the pending snapshot.
    const necessary = trackSubscriptionChanged(bridge, { workspace_id: 'w', from_plan: 'free', to_plan: 'team', seats: 3 });
    expect([...features, signup, necessary].every((id) => typeof id === 'string')).toBe(true);
    await bridge.flush();
    const [first] = await received(1);
    expect(first!.eid).toBe(necessary);
    expect(contextsOf(first!).at(-1)!.data).toEqual({ purposes: {}, source: 'default' });
    expect(bridge.getStats().heldForConsent).toBe(4);

    bridge.setConsent({ analytics: 'granted', marketing: 'denied' }, { policyVersion: 'v3', source: 'banner' });
    expect(dropped).toEqual([[SIGNUP, DropReason.consentDenied]]);
    // A necessary event tracked after the grant arrives after the released ones (the tracker sends in order).
    const sentinel = trackSubscriptionChanged(bridge, { workspace_id: 'w', from_plan: 'team', to_plan: 'free', seats: 1 });
    const all = await received(5);
    expect(all.map((p) => p.eid)).toEqual([necessary, ...features, sentinel]);
    for (const payload of all.slice(1)) {
      expect(contextsOf(payload).at(-1)!.data).toEqual({ purposes: { analytics: 'granted', marketing: 'denied' }, policyVersion: 'v3', source: 'banner' });
    }
    expect(all.slice(1, 4).map((p) => eventOf(p))).toEqual(['a', 'b', 'c'].map((w) => ({ schema: FEATURE, data: { feature: 'search', workspace_id: w } })));
    expect(eventOf(all[4]!).schema).toBe(SUBSCRIPTION);
    // Denied now: refused at track time, never handed over.
    expect(trackSignup(bridge, { email: 'later@example.com', plan: 'free' })).toBeUndefined();
    expect(bridge.getStats()).toMatchObject({ heldForConsent: 0, delivered: 5, dropped: { consent_denied: 2 } });
    expect(sent().some((p) => eventOf(p).schema === SIGNUP)).toBe(false);
  });

  it('sends fields marked x-pii in clear only where the app opted in', async () => {
    const { bridge, received } = setUp({ allowPiiInClear: { 'iglu:com.acme/signup/jsonschema': ['/email'] } });
    trackSignup(bridge, { email: 'clear@example.com', plan: 'free' }, { entities: [createUserContextEntity({ user_id: 'u', role: 'guest', email: 'e@x.io' })] });
    const [payload] = await received(1);
    expect(eventOf(payload!).data.email).toBe('clear@example.com');
    expect(contextsOf(payload!)[0]!.data.email).toBe(REDACTED); // the entity's schema was not opted in
  });

  it('a true timestamp becomes ttm; otherwise dtm is the time of the track() call', async () => {
    const { bridge, received } = setUp();
    const before = Date.now();
    trackFeatureUsed(bridge, { feature: 'export', workspace_id: 'now' });
    const after = Date.now();
    trackFeatureUsed(bridge, { feature: 'export', workspace_id: 'then' }, { trueTimestamp: Date.UTC(2026, 0, 2, 3, 4, 5, 6) });
    const [now, then] = await received(2);
    expect(Number(now!.dtm)).toBeGreaterThanOrEqual(before);
    expect(Number(now!.dtm)).toBeLessThanOrEqual(after);
    expect(now!.ttm).toBeUndefined();
    expect(then!.ttm).toBe(String(Date.UTC(2026, 0, 2, 3, 4, 5, 6)));
    expect(then!.dtm).toBeUndefined();
  });

  it('sends to the trackers named in `trackers` only; the plugin leaves the tracker’s other events alone', async () => {
    const named = setUp();
    const other = setUp();
    const id = trackFeatureUsed(named.bridge, { feature: 'share', workspace_id: 'only-named' });
    trackSelfDescribingEvent({ event: { schema: FEATURE, data: { feature: 'share', workspace_id: 'direct' } } }, [named.namespace]);
    const own = await named.received(2);
    // The bridge hands its event over a few microtasks after track(): the direct call went first.
    const [direct, bridged] = own;
    expect([direct, bridged].map((p) => eventOf(p!).data.workspace_id)).toEqual(['direct', 'only-named']);
    expect(bridged!.eid).toBe(id);
    expect(direct!.eid).not.toBe(id);
    expect(direct!.co).toBeUndefined(); // no consent entity on events the bridge did not hand over
    expect(other.sent()).toEqual([]);
  });

  it('track() never throws into the app: invalid events, a throwing tracker and throwing hooks are counted instead', async () => {
    const errors: Error[] = [];
    const dropped: [Envelope[], DropReason][] = [];
    const bridge = snowplowBrowserTrackerBridge({
      trackSelfDescribingEvent: () => {
        throw new Error('tracker exploded');
      },
      warn: () => {},
      hooks: {
        onDropped: (events, reason) => {
          dropped.push([[...events], reason]);
          throw new Error('hook exploded');
        },
        onError: (error) => errors.push(error),
      },
    });
    expect(bridge.track({ schema: 'not-an-iglu-uri', data: {} })).toBeUndefined();
    expect(bridge.track(null as never)).toBeUndefined();
    const id = trackFeatureUsed(bridge, { feature: 'comment', workspace_id: 'w' });
    expect(id).toEqual(expect.any(String));
    await bridge.flush();
    expect(dropped.map(([events, reason]) => [events.map((e) => e.id), reason])).toEqual([[[id], DropReason.fatalStatus]]);
    expect(bridge.getStats()).toMatchObject({ tracked: 3, delivered: 0, dropped: { invalid: 2, fatal_status: 1 } });
    // the hook's own failure is recorded, not thrown (and not fed back into the hooks)
    expect(bridge.getStats().lastError).toBe('A tracker hook threw');
    expect(errors).toEqual([]);
    await bridge.shutdown();
    expect(trackFeatureUsed(bridge, { feature: 'comment', workspace_id: 'late' })).toBeUndefined();
  });

  it('refuses to start without Snowplow’s trackSelfDescribingEvent (a setup error, with a code)', () => {
    expect(() => snowplowBrowserTrackerBridge({} as never)).toThrow(expect.objectContaining({ code: TracklaneErrorCode.INVALID_CONFIG }));
  });
});
