import { describe, expect, it } from 'vitest';
import { BatchChecker, RefusedEvent } from './batch-check.js';
import { EventValidator } from './event-validator.js';
import { SchemaRegistry } from './schema-registry.js';
import { PAGE_PING_SCHEMA, PAGE_VIEW_SCHEMA, STRUCTURED_EVENT_SCHEMA, addSnowplowSchemas } from './snowplow-schemas.js';
import { envelopeFromPayload, envelopesFromTp2, payloadFromQuery } from './snowplow-tp2.js';

const RECEIVED_AT = Date.UTC(2026, 2, 4, 5, 6, 7, 89);
const EID = '0190a0b0-1c2d-7e3f-8a4b-5c6d7e8f9a0b';

/** The fields every tracker sends, as @snowplow/tracker-core's payload builder writes them (all text). */
const common = {
  eid: EID,
  dtm: '1772600767089',
  stm: '1772600767100',
  tv: 'js-4.8.0',
  tna: 'sp',
  aid: 'shop',
  p: 'web',
  duid: 'd1a2',
  sid: '8a77d6a6-0005-4000-8000-000900000013',
  vid: '3',
  url: 'https://shop.example/cart?x=1',
  refr: 'https://search.example/',
  page: 'Cart',
};

const registry = new SchemaRegistry();
addSnowplowSchemas(registry);
const validator = new EventValidator(registry);
const checker = new BatchChecker(validator, 100);
const map = (payload: unknown): unknown => envelopeFromPayload(payload, RECEIVED_AT);
const errorsOf = (payload: unknown): string[] => {
  const verdict = validator.validate(map(payload));
  return verdict.ok ? [] : verdict.errors;
};

describe('tp2 payload → envelope', () => {
  it('page view (e=pv): the page_view schema with no data; url, title and referrer are the page fields', () => {
    expect(map({ e: 'pv', ...common })).toEqual({
      id: EID,
      event: { schema: PAGE_VIEW_SCHEMA, data: {} },
      ts: { created: '2026-03-04T05:06:07.089Z', sent: '2026-03-04T05:06:07.100Z' },
      app: { id: 'shop', platform: 'web' },
      tracker: { name: 'js', version: '4.8.0', namespace: 'sp' },
      user: { anonymousId: 'd1a2', sessionId: common.sid, sessionIndex: 3 },
      consent: { purposes: {} },
      page: { url: common.url, referrer: common.refr, title: 'Cart' },
    });
    expect(errorsOf({ e: 'pv', ...common })).toEqual([]);
  });

  it('page ping (e=pp): the offsets as integers, the page as for a page view', () => {
    const envelope = map({ e: 'pp', ...common, pp_mix: '0', pp_max: '120', pp_miy: '-4', pp_may: '2200' }) as Record<string, unknown>;
    expect(envelope.event).toEqual({ schema: PAGE_PING_SCHEMA, data: { minXOffset: 0, maxXOffset: 120, minYOffset: -4, maxYOffset: 2200 } });
    expect(envelope.page).toEqual({ url: common.url, referrer: common.refr, title: 'Cart' });
    expect(errorsOf({ e: 'pp', ...common, pp_mix: '0', pp_max: '120', pp_miy: '-4', pp_may: '2200' })).toEqual([]);
    // @snowplow/tracker-core leaves out offsets of 0.
    expect((map({ e: 'pp', ...common, pp_max: '5' }) as { event: unknown }).event).toEqual({ schema: PAGE_PING_SCHEMA, data: { maxXOffset: 5 } });
  });

  it('structured event (e=se): category, action, label, property and a numeric value', () => {
    const payload = { e: 'se', ...common, se_ca: 'checkout', se_ac: 'add', se_la: 'sku-1', se_pr: 'red', se_va: '12.5' };
    expect((map(payload) as { event: unknown }).event).toEqual({
      schema: STRUCTURED_EVENT_SCHEMA,
      data: { category: 'checkout', action: 'add', label: 'sku-1', property: 'red', value: 12.5 },
    });
    expect(errorsOf(payload)).toEqual([]);
    expect((map({ e: 'se', ...common, se_ca: 'c', se_ac: 'a', se_va: '-1e3' }) as { event: { data: unknown } }).event.data).toEqual({ category: 'c', action: 'a', value: -1000 });
  });

  it("structured events of the oldest JavaScript trackers (e=ev, ev_* fields), which enrich still reads", () => {
    expect((map({ e: 'ev', ...common, ev_ca: 'c', ev_ac: 'a', ev_va: '2' }) as { event: unknown }).event).toEqual({
      schema: STRUCTURED_EVENT_SCHEMA,
      data: { category: 'c', action: 'a', value: 2 },
    });
  });

  it('empty fields and "null" values are not set, as trackers and enrich treat them', () => {
    expect((map({ e: 'se', ...common, se_ca: 'c', se_ac: 'a', se_la: '', se_va: 'null' }) as { event: { data: unknown } }).event.data).toEqual({ category: 'c', action: 'a' });
    expect((map({ e: 'pp', ...common, pp_mix: '', pp_max: 'null' }) as { event: { data: unknown } }).event.data).toEqual({});
  });

  it('contexts ride on every event type', () => {
    const entity = { schema: 'iglu:com.acme/user/jsonschema/1-0-0', data: { plan: 'pro' } };
    const co = JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1', data: [entity] });
    expect(map({ e: 'pv', ...common, co })).toMatchObject({ event: { schema: PAGE_VIEW_SCHEMA }, entities: [entity] });
  });

  it('a payload without eid (a hand-made pixel) gets a new UUID v7; one without dtm or stm is created when received', () => {
    const { eid: _eid, dtm: _dtm, stm: _stm, ...bare } = common;
    const first = map({ e: 'pv', ...bare }) as { id: string; ts: unknown };
    const second = map({ e: 'pv', ...bare }) as { id: string };
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.id.replace(/-/g, '').slice(0, 12)).toBe(RECEIVED_AT.toString(16).padStart(12, '0'));
    expect(second.id).not.toBe(first.id);
    expect(first.ts).toEqual({ created: '2026-03-04T05:06:07.089Z' });
    expect(errorsOf({ e: 'pv', ...bare })).toEqual([]);
  });

  it('an upper-case eid is stored lower-cased, as enrich does', () => {
    expect((map({ e: 'pv', ...common, eid: EID.toUpperCase() }) as { id: string }).id).toBe(EID);
  });

  it.each<[string, unknown, string]>([
    ['legacy ecommerce transaction', { e: 'tr', ...common, tr_id: 'o-1' }, '/e: unsupported tracker protocol event type "tr"'],
    ['legacy ecommerce item', { e: 'ti', ...common, ti_sk: 'sku' }, '/e: unsupported tracker protocol event type "ti"'],
    ['an unknown type', { e: 'xx', ...common }, '/e: unsupported tracker protocol event type "xx"'],
    ['a name of Object.prototype', { e: 'toString', ...common }, '/e: unsupported tracker protocol event type "toString"'],
    ['no type', { ...common }, '/e: missing tracker protocol event type'],
    ['a self-describing event without ue_pr / ue_px', { e: 'ue', ...common }, '/ue_pr: missing: a self-describing event (e=ue) needs ue_pr or ue_px'],
    ['an unreadable ue_pr', { e: 'ue', ...common, ue_pr: '{not json' }, '/ue_pr: not a readable unstruct_event self-describing JSON'],
    ['a ue_px of another schema', { e: 'ue', ...common, ue_px: Buffer.from('{"schema":"iglu:a/b/jsonschema/1-0-0","data":{}}').toString('base64') }, '/ue_px: not a readable unstruct_event self-describing JSON'],
    ['unreadable contexts', { e: 'pv', ...common, co: '[' }, '/co: not a readable contexts self-describing JSON'],
  ])('refuses %s, naming the field', (_, payload, error) => {
    const mapped = map(payload);
    expect(mapped).toBeInstanceOf(RefusedEvent);
    expect(mapped).toMatchObject({ payload, errors: [error] });
  });

  it('counts the payloads against maxPayloads before mapping any (413)', () => {
    const data = new Proxy([{ e: 'pv' }, { e: 'pv' }, { e: 'pv' }], {
      get: (target, key) => {
        if (key !== 'length' && typeof key === 'string' && /^\d+$/.test(key)) throw new Error('a payload was read');
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(() => envelopesFromTp2({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data }, RECEIVED_AT, 2)).toThrow(
      // By its code (it was a RangeError, which any bug could throw too).
      expect.objectContaining({ name: 'CollectorError', code: 'BATCH_TOO_LARGE', message: 'more than 2 events in one batch' }),
    );
    expect(envelopesFromTp2({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: [{ e: 'pv' }, { e: 'pv' }] }, RECEIVED_AT, 2)).toHaveLength(2);
  });

  it('refuses a payload that is not an object', () => {
    expect(envelopesFromTp2({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: ['pv', null] }, RECEIVED_AT)).toEqual([
      new RefusedEvent('pv', undefined, ['/: a tracker protocol payload must be an object']),
      new RefusedEvent(null, undefined, ['/: a tracker protocol payload must be an object']),
    ]);
  });
});

describe('the built-in schemas check the values, naming the field', () => {
  it.each<[string, Record<string, string>, string[]]>([
    ['a value that is no number', { e: 'se', se_ca: 'c', se_ac: 'a', se_va: 'twelve' }, ['/event/data/value: must be number']],
    ['a value that overflows a double', { e: 'se', se_ca: 'c', se_ac: 'a', se_va: '1e400' }, ['/event/data/value: must be number']],
    ['no category', { e: 'se', se_ac: 'a' }, ["/event/data: must have required property 'category'"]],
    ['no action', { e: 'se', se_ca: 'c' }, ["/event/data: must have required property 'action'"]],
    ['a category longer than the atomic column', { e: 'se', se_ca: 'c'.repeat(1001), se_ac: 'a' }, ['/event/data/category: must NOT have more than 1000 characters']],
    ['an offset with a fraction', { e: 'pp', pp_mix: '1.5' }, ['/event/data/minXOffset: must be integer']],
    ['an offset that is no number', { e: 'pp', pp_may: 'far' }, ['/event/data/maxYOffset: must be integer']],
    ['an offset beyond 32 bits', { e: 'pp', pp_max: '2147483648' }, ['/event/data/maxXOffset: must be <= 2147483647']],
  ])('%s', (_, fields, errors) => {
    expect(errorsOf({ ...common, ...fields })).toEqual(errors);
  });

  it('values sent as JSON of another type (a POST body) stay as sent, for the schema to refuse', () => {
    expect(errorsOf({ ...common, e: 'se', se_ca: 7, se_ac: 'a', se_va: 3 })).toEqual(['/event/data/category: must be string']);
  });

  it('a refused payload is a bad event with its reasons, stored as it came', () => {
    const payload = { e: 'tr', ...common };
    const [checked] = checker.check([map(payload)], { appId: undefined, clientIp: '127.0.0.0', receivedAt: RECEIVED_AT });
    expect(checked).toMatchObject({ ok: false, id: EID, schema: 'unknown', reason: 'unmappable', errors: ['/e: unsupported tracker protocol event type "tr"'] });
    expect(JSON.parse((checked as { value: string }).value)).toEqual({
      receivedAt: '2026-03-04T05:06:07.089Z',
      clientIp: '127.0.0.0',
      errors: ['/e: unsupported tracker protocol event type "tr"'],
      payload,
    });
  });

  it("a schema of the same URI in the user's sources replaces the built-in one", () => {
    const own = new SchemaRegistry();
    addSnowplowSchemas(own);
    own.add({ self: { vendor: 'com.google.analytics', name: 'event', format: 'jsonschema', version: '1-0-0' }, type: 'object' }, 'mine');
    const verdict = new EventValidator(own).validate(map({ ...common, e: 'se' }));
    expect(verdict.ok).toBe(true);
  });
});

describe('payloadFromQuery', () => {
  it('is the query string, less the write key', () => {
    expect(payloadFromQuery(new URLSearchParams('e=pv&key=secret&url=https%3A%2F%2Fx.example%2F%3Fa%3D1&page=A+B'))).toEqual({
      e: 'pv',
      url: 'https://x.example/?a=1',
      page: 'A B',
    });
  });

  it('is undefined when nothing but the key is there', () => {
    expect(payloadFromQuery(new URLSearchParams('key=secret'))).toBeUndefined();
    expect(payloadFromQuery(new URLSearchParams(''))).toBeUndefined();
  });
});
