import { describe, expect, it } from 'vitest';
import type { Envelope } from '@tracklane/core';
import { CONSENT_SCHEMA, CONTEXTS_SCHEMA, UNSTRUCT_EVENT_SCHEMA, toTrackerPayload } from './tracker-protocol.js';
import { base64UrlEncode } from './base64.js';

const envelope: Envelope = {
  id: '0190a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b',
  event: { schema: 'iglu:com.acme/checkout/jsonschema/1-0-0', data: { total: 12.5, items: ['a', 'ü'] } },
  entities: [{ schema: 'iglu:com.acme/cart/jsonschema/1-0-0', data: { id: 'c1' } }],
  ts: { created: '2026-03-01T10:00:00.123Z', sent: '2026-03-01T10:00:01.000Z', true: '2026-03-01T09:59:59.999Z' },
  app: { id: 'shop', platform: 'web', version: '2.3.4' },
  tracker: { name: 'tracklane-browser', version: '0.1.0', namespace: 'main' },
  user: { anonymousId: 'anon-1', userId: 'user-1', sessionId: 'sess-1', sessionIndex: 7 },
  consent: { purposes: { analytics: 'granted', marketing: 'denied' }, policyVersion: 'v3', source: 'banner' },
  page: { url: 'https://shop.example/cart?x=1', referrer: 'https://search.example/', title: 'Cart — Shop' },
  device: { userAgent: 'Mozilla/5.0 (X11)', language: 'de-DE', timezone: 'Europe/Berlin', screen: '1920x1080' },
};

describe('toTrackerPayload: the envelope table of docs/design.md', () => {
  const payload = toTrackerPayload(envelope);
  it.each([
    ['e', '(event type)', 'ue'],
    ['eid', 'id', envelope.id],
    ['dtm', 'ts.created', String(Date.parse('2026-03-01T10:00:00.123Z'))],
    ['stm', 'ts.sent', String(Date.parse('2026-03-01T10:00:01.000Z'))],
    ['ttm', 'ts.true', String(Date.parse('2026-03-01T09:59:59.999Z'))],
    ['aid', 'app.id', 'shop'],
    ['p', 'app.platform', 'web'],
    ['tv', 'tracker.name-tracker.version', 'tracklane-browser-0.1.0'],
    ['tna', 'tracker.namespace', 'main'],
    ['duid', 'user.anonymousId', 'anon-1'],
    ['uid', 'user.userId', 'user-1'],
    ['sid', 'user.sessionId', 'sess-1'],
    ['vid', 'user.sessionIndex', '7'],
    ['url', 'page.url', 'https://shop.example/cart?x=1'],
    ['refr', 'page.referrer', 'https://search.example/'],
    ['page', 'page.title', 'Cart — Shop'],
    ['ua', 'device.userAgent', 'Mozilla/5.0 (X11)'],
    ['lang', 'device.language', 'de-DE'],
    ['tz', 'device.timezone', 'Europe/Berlin'],
    ['res', 'device.screen', '1920x1080'],
  ])('%s <- %s', (field, _source, expected) => {
    expect(payload[field]).toBe(expected);
  });

  it('ue_pr wraps the event in unstruct_event 1-0-0', () => {
    expect(JSON.parse(payload.ue_pr!)).toEqual({ schema: UNSTRUCT_EVENT_SCHEMA, data: envelope.event });
  });

  it('co wraps the entities plus the consent entity in contexts 1-0-1', () => {
    expect(JSON.parse(payload.co!)).toEqual({
      schema: CONTEXTS_SCHEMA,
      data: [...envelope.entities!, { schema: CONSENT_SCHEMA, data: envelope.consent }],
    });
  });

  it('every value is a string, and nothing else is sent', () => {
    for (const value of Object.values(payload)) expect(typeof value).toBe('string');
    expect(Object.keys(payload).sort()).toEqual(
      ['e', 'eid', 'dtm', 'stm', 'ttm', 'aid', 'p', 'tv', 'tna', 'duid', 'uid', 'sid', 'vid', 'url', 'refr', 'page', 'ua', 'lang', 'tz', 'res', 'ue_pr', 'co'].sort(),
    );
  });
});

describe('toTrackerPayload options and absent fields', () => {
  it('encodeBase64 sends ue_px and cx (base64url of the same JSON) instead', () => {
    const json = toTrackerPayload(envelope);
    const b64 = toTrackerPayload(envelope, { encodeBase64: true });
    expect(b64.ue_pr).toBeUndefined();
    expect(b64.co).toBeUndefined();
    expect(b64.ue_px).toBe(base64UrlEncode(json.ue_pr!));
    expect(Buffer.from(b64.cx!, 'base64url').toString('utf8')).toBe(json.co);
    expect(b64.ue_px).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('sentAtMs sets stm for the send attempt', () => {
    expect(toTrackerPayload(envelope, { sentAtMs: 42 }).stm).toBe('42');
  });

  it('omits what the envelope lacks; the consent entity is always there', () => {
    const minimal: Envelope = {
      id: 'x',
      event: { schema: 'iglu:com.acme/e/jsonschema/1-0-0', data: {} },
      ts: { created: '2026-01-01T00:00:00.000Z' },
      app: { id: 'a', platform: 'srv' },
      tracker: { name: 'tracklane-node', version: '1.0.0' },
      user: {},
      consent: { purposes: {} },
    };
    const payload = toTrackerPayload(minimal);
    expect(Object.keys(payload).sort()).toEqual(['aid', 'co', 'dtm', 'e', 'eid', 'p', 'tv', 'ue_pr'].sort());
    expect(JSON.parse(payload.co!).data).toEqual([{ schema: CONSENT_SCHEMA, data: { purposes: {} } }]);
  });
});

describe('base64UrlEncode', () => {
  it.each(['', 'a', 'ab', 'abc', 'abcd', '€', '𝄞 and ü', '\u0000\uffff'])('matches Buffer for %j', (text) => {
    expect(base64UrlEncode(text)).toBe(Buffer.from(text, 'utf8').toString('base64url'));
  });
});
