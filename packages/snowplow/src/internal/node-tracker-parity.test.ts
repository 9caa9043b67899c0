// Side by side with Snowplow's own @snowplow/node-tracker 4.8.0: the same event, tracked by both,
// yields the same value in every tracker-protocol field both set (ids and device timestamps aside).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSelfDescribingEvent, newTracker } from '@snowplow/node-tracker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '@tracklane/core';
import { CONSENT_SCHEMA, consentEntity, toTrackerPayload } from './tracker-protocol.js';

/** Fields that differ by nature: the event id and the device's clock at track and send time. */
const IDS_AND_TIMESTAMPS = new Set(['eid', 'dtm', 'stm']);

const EVENT = { schema: 'iglu:com.acme/checkout/jsonschema/1-0-0', data: { total: 12.5, items: ['a', 'ü', '"quoted"'], nested: { ok: true } } };
const ENTITIES = [
  { schema: 'iglu:com.acme/cart/jsonschema/1-0-0', data: { id: 'c1', lines: 3 } },
  { schema: 'iglu:com.acme/user/jsonschema/2-0-1', data: { plan: 'pro' } },
];
const TRUE_TIME = Date.UTC(2026, 2, 1, 9, 59, 59, 999);

const envelope: Envelope = {
  id: '0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b',
  event: EVENT,
  entities: ENTITIES,
  ts: { created: new Date().toISOString(), true: new Date(TRUE_TIME).toISOString() },
  app: { id: 'shop', platform: 'web' },
  tracker: { name: 'node', version: '4.8.0', namespace: 'main' },
  user: { anonymousId: 'd1a2', userId: 'user-1', sessionId: 's-7', sessionIndex: 7 },
  consent: { purposes: { analytics: 'granted' }, policyVersion: 'v3', source: 'banner' },
  page: { url: 'https://shop.example/cart?x=1', referrer: 'https://search.example/', title: 'Cart — Shop' },
  device: { userAgent: 'Mozilla/5.0 (X11)', language: 'de-DE', timezone: 'Europe/Berlin', screen: '1920x1080' },
};

describe('@tracklane/snowplow next to @snowplow/node-tracker 4.8.0', () => {
  const bodies: Record<string, string>[][] = [];
  let server: http.Server;
  let endpoint: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/com.snowplowanalytics.snowplow/tp2') bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).data);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The same event through Snowplow's tracker, set up with the envelope's values. */
  async function snowplowPayload(encodeBase64: boolean): Promise<Record<string, string>> {
    const tracker = newTracker({ namespace: 'main', appId: 'shop', encodeBase64 }, { endpoint, eventMethod: 'post', bufferSize: 1 });
    tracker.setPlatform('web');
    tracker.setDomainUserId('d1a2');
    tracker.setUserId('user-1');
    tracker.setSessionId('s-7');
    tracker.setSessionIndex(7);
    tracker.setUseragent('Mozilla/5.0 (X11)');
    tracker.setLang('de-DE');
    tracker.setTimezone('Europe/Berlin');
    tracker.setScreenResolution('1920', '1080');
    tracker.addPayloadDict({ url: 'https://shop.example/cart?x=1', refr: 'https://search.example/', page: 'Cart — Shop' });
    const before = bodies.length;
    // Tracklane attaches the consent snapshot as an entity; a Snowplow user would pass it as a context.
    tracker.track(buildSelfDescribingEvent({ event: EVENT }), [...ENTITIES, consentEntity(envelope.consent)], { type: 'ttm', value: TRUE_TIME });
    await tracker.flush();
    expect(bodies.length).toBe(before + 1);
    return bodies.at(-1)![0]!;
  }

  const decode = (value: string, base64: boolean) => JSON.parse(base64 ? Buffer.from(value, 'base64url').toString('utf8') : value);

  for (const encodeBase64 of [false, true]) {
    it(`same value in every field both set (encodeBase64: ${encodeBase64})`, async () => {
      const theirs = await snowplowPayload(encodeBase64);
      const ours = toTrackerPayload(envelope, { encodeBase64, sentAtMs: Date.now() });
      const shared = Object.keys(ours).filter((key) => key in theirs && !IDS_AND_TIMESTAMPS.has(key));
      // Everything Tracklane sends, Snowplow's tracker sends too (it leaves out dtm when given a ttm).
      expect(Object.keys(ours).filter((key) => !(key in theirs) && !IDS_AND_TIMESTAMPS.has(key))).toEqual([]);
      expect(shared.sort()).toEqual(
        ['e', 'tv', 'tna', 'aid', 'p', 'ttm', 'duid', 'uid', 'sid', 'vid', 'url', 'refr', 'page', 'ua', 'lang', 'tz', 'res', ...(encodeBase64 ? ['ue_px', 'cx'] : ['ue_pr', 'co'])].sort(),
      );
      const [ue, co] = encodeBase64 ? ['ue_px', 'cx'] : ['ue_pr', 'co'];
      for (const key of shared.filter((k) => k !== co)) expect.soft(ours[key], key).toBe(theirs[key]);
      // The contexts wrapper: the same entities in the same order; Snowplow's trackers still name
      // contexts 1-0-0, Tracklane names 1-0-1 (what Iglu Central's payload_data 1-0-4 era expects).
      const ourContexts = decode(ours[co]!, encodeBase64);
      const theirContexts = decode(theirs[co]!, encodeBase64);
      expect(ourContexts.data).toEqual(theirContexts.data);
      expect(ourContexts.data.at(-1).schema).toBe(CONSENT_SCHEMA);
      expect(theirContexts.schema).toMatch(/^iglu:com\.snowplowanalytics\.snowplow\/contexts\/jsonschema\/1-0-\d$/);
      expect(decode(ours[ue]!, encodeBase64)).toEqual(decode(theirs[ue]!, encodeBase64));
    });
  }
});
