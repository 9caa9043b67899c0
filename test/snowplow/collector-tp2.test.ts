// The native collector's Snowplow endpoint: envelope -> @tracklane/snowplow (tp2) -> the real
// collector's POST /com.snowplowanalytics.snowplow/tp2 -> the raw store loses nothing tp2 carries.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, StoredEvent, Transport } from '@tracklane/core';
import { createNodeHttpClient } from '@tracklane/node';
import { TP2_PATH, snowplowDestination, toTrackerPayload } from '@tracklane/snowplow';
import { BROWSER_KEY, BROWSER_ORIGIN, PIXEL_KEY, SERVER_KEY, startCollector, type TestCollector } from '../helpers/collector.js';
import { carriedByTp2, envelopeArb, writeOpenSchemas } from './envelopes.js';

const stored = (envelope: Envelope): StoredEvent => {
  const json = JSON.stringify(envelope);
  return { id: envelope.id, purpose: 'analytics', createdAt: Date.parse(envelope.ts.created), json, bytes: Buffer.byteLength(json) };
};

describe('collector: POST /com.snowplowanalytics.snowplow/tp2', () => {
  let collector: TestCollector;
  let schemaDir: string;
  const http = createNodeHttpClient();

  beforeAll(async () => {
    schemaDir = mkdtempSync(path.join(os.tmpdir(), 'tracklane-tp2-schemas-'));
    writeOpenSchemas(schemaDir);
    collector = await startCollector({ schemas: [schemaDir], durability: 'write' });
  });
  afterAll(async () => {
    http.destroy();
    await collector.close();
    rmSync(schemaDir, { recursive: true, force: true });
  });

  const transports = (): Record<string, Transport> => ({
    'ue_pr/co, Bearer key': snowplowDestination({ url: collector.url, maxPostBytes: 1_000_000, headers: { authorization: `Bearer ${SERVER_KEY}` } }).createTransport({ http, warn: () => {} }),
    // A key in the URL is a browser key: a server key is taken only from the Authorization header.
    'ue_px/cx, ?key=': snowplowDestination({ url: `${collector.url}?key=${PIXEL_KEY}`, encodeBase64: true, maxPostBytes: 1_000_000 }).createTransport({ http, warn: () => {} }),
  });

  it('round trip: every field the protocol carries lands in the stored envelope unchanged', { timeout: 120_000 }, async () => {
    const byName = transports();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(byName)), fc.array(envelopeArb, { minLength: 1, maxLength: 6 }), async (name, generated) => {
        // Fresh ids: the collector dedups, and shrinking replays the same values.
        const envelopes = generated.map((envelope) => ({ ...envelope, id: randomUUID() }));
        const before = Date.now();
        const result = await byName[name]!.send(envelopes.map(stored), { timeoutMs: 10_000 });
        expect(result).toEqual({ type: 'ok' });
        const good = new Map(collector.records('good').map((record) => [record.envelope!.id, record.envelope!]));
        for (const envelope of envelopes) {
          const landed = good.get(envelope.id);
          expect(landed, `envelope ${envelope.id} in the raw store`).toBeDefined();
          const sent = Date.parse(landed!.ts.sent!);
          expect(sent).toBeGreaterThanOrEqual(before - 1);
          expect(sent).toBeLessThanOrEqual(Date.now());
          expect(carriedByTp2(landed!)).toEqual(carriedByTp2(envelope));
        }
      }),
      // Each run does real HTTP and reads the raw store: report a failure at once rather than shrink for minutes.
      { numRuns: 60, endOnFailure: true },
    );
    expect(collector.records('bad')).toEqual([]);
  });

  it('dedups by eid, like /v1/batch', async () => {
    const envelope = fc.sample(envelopeArb, { numRuns: 1, seed: 7 })[0]!;
    const transport = transports()['ue_pr/co, Bearer key']!;
    const once = { ...envelope, id: randomUUID() };
    expect(await transport.send([stored(once), stored(once)], { timeoutMs: 5000 })).toEqual({ type: 'ok' });
    expect(await transport.send([stored(once)], { timeoutMs: 5000 })).toEqual({ type: 'ok' });
    expect(collector.records('good').filter((r) => r.envelope!.id === once.id)).toHaveLength(1);
  });

  const body = (payloads: unknown[]) =>
    JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: payloads });
  const payload = () => {
    const envelope = { ...fc.sample(envelopeArb, { numRuns: 1, seed: 11 })[0]!, id: randomUUID() };
    return { envelope, tp2: toTrackerPayload(envelope, { sentAtMs: Date.now() }) };
  };

  it('uses the write key and CORS rules of /v1/batch', async () => {
    const { tp2 } = payload();
    const json = { 'content-type': 'application/json; charset=UTF-8' };
    expect((await collector.request('POST', TP2_PATH, json, body([tp2]))).status).toBe(401);
    expect((await collector.request('POST', TP2_PATH, { ...json, authorization: 'Bearer nope' }, body([tp2]))).status).toBe(401);
    expect((await collector.request('POST', TP2_PATH, { ...json, authorization: `Bearer ${SERVER_KEY}`, origin: BROWSER_ORIGIN }, body([tp2]))).status).toBe(403);
    expect((await collector.request('POST', `${TP2_PATH}?key=${SERVER_KEY}`, json, body([tp2]))).json).toEqual({ error: 'a server key is taken only from the Authorization header, never from the URL' });
    const preflight = await collector.request('OPTIONS', TP2_PATH, { origin: BROWSER_ORIGIN, 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(BROWSER_ORIGIN);
    expect((await collector.request('OPTIONS', TP2_PATH, { origin: 'https://evil.example' })).status).toBe(403);
    // A browser key is bound to its app id ('shop').
    const shop = { ...tp2, aid: 'shop', eid: randomUUID() };
    const fromBrowser = await collector.request('POST', `${TP2_PATH}?key=${BROWSER_KEY}`, { 'content-type': 'text/plain', origin: BROWSER_ORIGIN }, body([shop]));
    expect(fromBrowser.status).toBe(200);
    expect(fromBrowser.headers['access-control-allow-origin']).toBe(BROWSER_ORIGIN);
    expect(fromBrowser.json).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    // GET is Snowplow's pixel request (collector-pixel.test.ts): it needs a key too. HEAD is no request to store.
    expect((await collector.request('GET', `${TP2_PATH}?e=pv`)).status).toBe(401);
    expect((await collector.request('HEAD', TP2_PATH)).status).toBe(405);
  });

  it('answers 400 to a body that is not payload_data, and keeps unmappable payloads in the bad store', async () => {
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${SERVER_KEY}` };
    expect((await collector.request('POST', TP2_PATH, auth, '{"events":[]}')).status).toBe(400);
    expect((await collector.request('POST', TP2_PATH, auth, 'not json')).status).toBe(400);
    const { tp2 } = payload();
    // Legacy ecommerce (tr, ti) is not mapped; page views are (snowplow-node-tracker.test.ts).
    const transaction = { e: 'tr', eid: randomUUID(), tv: 'js-2.0.0', p: 'web', aid: 'shop', tr_id: 'o-1', tr_tt: '12.5' };
    const broken = { ...tp2, eid: randomUUID(), ue_pr: '{not json' };
    const answer = await collector.request('POST', TP2_PATH, auth, body([tp2, transaction, broken]));
    expect(answer.status).toBe(200);
    expect(answer.json.accepted).toBe(1);
    expect(answer.json.rejected).toEqual([
      { id: transaction.eid, errors: ['/e: unsupported tracker protocol event type "tr"'] },
      { id: broken.eid, errors: ['/ue_pr: not a readable unstruct_event self-describing JSON'] },
    ]);
    const bad = collector.records('bad');
    expect(bad.find((r) => (r.payload as { eid?: string }).eid === transaction.eid)).toMatchObject({ payload: transaction, errors: ['/e: unsupported tracker protocol event type "tr"'] });
    expect(bad.map((r) => r.payload)).toContainEqual(broken);
  });
});
