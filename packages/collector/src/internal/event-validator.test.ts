import { describe, expect, it } from 'vitest';
import { EventValidator, checkShape, countMembers, type InvalidReason } from './event-validator.js';
import { SchemaRegistry } from './schema-registry.js';

const CLICK = 'iglu:com.acme/click/jsonschema/1-0-0';
const USER = 'iglu:com.acme/user/jsonschema/1-0-0';
const ID = '0190a0b0-1c2d-7e3f-8a4b-5c6d7e8f9a0b';

const registry = new SchemaRegistry();
registry.add(
  {
    self: { vendor: 'com.acme', name: 'click', format: 'jsonschema', version: '1-0-0' },
    type: 'object',
    properties: { button: { type: 'string', maxLength: 20 }, meta: { type: 'object' } },
    required: ['button'],
    additionalProperties: false,
  },
  'click',
);
registry.add(
  {
    self: { vendor: 'com.acme', name: 'user', format: 'jsonschema', version: '1-0-0' },
    type: 'object',
    properties: { plan: { enum: ['free', 'pro'] } },
    required: ['plan'],
  },
  'user',
);
const validator = new EventValidator(registry, { maxDepth: 8 });

/** A valid envelope; `patch` replaces top-level fields. */
function envelope(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ID,
    event: { schema: CLICK, data: { button: 'buy' } },
    entities: [{ schema: USER, data: { plan: 'pro' } }],
    ts: { created: '2026-03-04T05:06:07.089Z' },
    app: { id: 'shop', platform: 'web' },
    tracker: { name: 'tracklane-browser', version: '0.1.0' },
    user: { anonymousId: 'anon-1' },
    consent: { purposes: { analytics: 'granted' } },
    ...patch,
  };
}

/** `n` nested objects: {a:{a:...{}}}. */
function nested(n: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < n; i++) value = { a: value };
  return value;
}

describe('EventValidator', () => {
  it('accepts a valid envelope and hands it back', () => {
    const event = envelope();
    expect(validator.validate(event)).toEqual({ ok: true, envelope: event, members: countMembers(event, 32) });
    expect(validator.validate(envelope({ entities: undefined }))).toMatchObject({ ok: true });
  });

  it('knows the schemas of its registry only', () => {
    expect(validator.knows(CLICK)).toBe(true);
    expect(validator.knows('iglu:com.acme/click/jsonschema/2-0-0')).toBe(false);
    expect(validator.knows('iglu:dev.tracklane/envelope/jsonschema/1-0-0')).toBe(false);
  });

  describe('rejects, naming the JSON pointer of each offending field', () => {
    it.each<[string, Record<string, unknown>, string[], InvalidReason]>([
      ['unknown event schema', { event: { schema: 'iglu:com.acme/click/jsonschema/1-0-9', data: {} } }, ['/event/schema: unknown schema iglu:com.acme/click/jsonschema/1-0-9'], 'unknown_schema'],
      ['unknown entity schema', { entities: [{ schema: USER, data: { plan: 'free' } }, { schema: 'iglu:x.y/z/jsonschema/1-0-0', data: {} }] }, ['/entities/1/schema: unknown schema iglu:x.y/z/jsonschema/1-0-0'], 'unknown_schema'],
      ['invalid event data', { event: { schema: CLICK, data: { button: 7 } } }, ['/event/data/button: must be string'], 'invalid_data'],
      ['missing event data field', { event: { schema: CLICK, data: {} } }, ["/event/data: must have required property 'button'"], 'invalid_data'],
      ['additional event data field', { event: { schema: CLICK, data: { button: 'b', price: 1 } } }, ["/event/data: must NOT have additional properties 'price'"], 'invalid_data'],
      ['invalid entity data', { entities: [{ schema: USER, data: { plan: 'gold' } }] }, ['/entities/0/data/plan: must be equal to one of the allowed values'], 'invalid_data'],
      [
        'event and entity both invalid',
        { event: { schema: CLICK, data: {} }, entities: [{ schema: USER, data: {} }] },
        ["/event/data: must have required property 'button'", "/entities/0/data: must have required property 'plan'"],
        'invalid_data',
      ],
      // The reason is where the first error arose, not what its text says: a key may read "unknown schema".
      ['a data key that reads like another reason', { event: { schema: CLICK, data: { button: 'b', 'unknown schema': 1 } } }, ["/event/data: must NOT have additional properties 'unknown schema'"], 'invalid_data'],
      [
        'valid event data, then an unknown entity schema',
        { entities: [{ schema: USER, data: { plan: 'free' } }, { schema: 'iglu:x.y/z/jsonschema/1-0-0', data: {} }, { schema: USER, data: {} }] },
        ['/entities/1/schema: unknown schema iglu:x.y/z/jsonschema/1-0-0', "/entities/2/data: must have required property 'plan'"],
        'unknown_schema',
      ],
    ])('%s', (_name, patch, errors, reason) => {
      expect(validator.validate(envelope(patch))).toEqual({ ok: false, id: ID, reason, errors });
    });
  });

  describe('rejects an invalid envelope before looking at its schemas', () => {
    it.each<[string, unknown, string]>([
      ['id is not a UUID', envelope({ id: 'abc' }), '/id: must match pattern'],
      ['id in capitals', envelope({ id: ID.toUpperCase() }), '/id: must match pattern'],
      ['no id', (({ id: _id, ...rest }) => rest)(envelope()), "/: must have required property 'id'"],
      ['no consent', (({ consent: _c, ...rest }) => rest)(envelope()), "/: must have required property 'consent'"],
      ['unknown top-level field', envelope({ extra: 1 }), "/: must NOT have additional properties 'extra'"],
      ['bad platform', envelope({ app: { id: 'shop', platform: 'tv' } }), '/app/platform: must be equal to one of the allowed values'],
      ['bad timestamp', envelope({ ts: { created: 'yesterday' } }), '/ts/created: must match format "date-time"'],
      ['schema is not an Iglu URI', envelope({ event: { schema: 'click', data: {} } }), '/event/schema: must match pattern'],
      ['event data is an array', envelope({ event: { schema: CLICK, data: [] } }), '/event/data: must be object'],
      ['bad consent state', envelope({ consent: { purposes: { analytics: 'yes' } } }), '/consent/purposes/analytics: must be equal to one of the allowed values'],
      ['more than 100 entities', envelope({ entities: Array.from({ length: 101 }, () => ({ schema: USER, data: { plan: 'pro' } })) }), '/entities: must NOT have more than 100 items'],
    ])('%s', (_name, event, error) => {
      const verdict = validator.validate(event);
      expect(verdict.ok).toBe(false);
      if (verdict.ok) return;
      expect(verdict.errors.some((e) => e.startsWith(error)), verdict.errors.join('\n')).toBe(true);
      expect(verdict.errors.some((e) => e.includes('unknown schema'))).toBe(false);
      expect(verdict.reason).toBe('invalid_envelope');
    });

    it.each([null, 42, 'text', true, [], [envelope()]])('not an object: %j', (value) => {
      expect(validator.validate(value)).toMatchObject({ ok: false, id: undefined, errors: [expect.stringMatching(/^\/: must be object/)] });
    });

    it('keeps the id of a rejected event only when it is a string', () => {
      expect(validator.validate(envelope({ id: 'not-a-uuid' }))).toMatchObject({ ok: false, id: 'not-a-uuid' });
      expect(validator.validate(envelope({ id: 12 }))).toMatchObject({ ok: false, id: undefined });
    });
  });

  describe('unsafe shapes', () => {
    it('allows exactly maxDepth levels of nesting and rejects one more', () => {
      // envelope (1) > event (2) > data (3) > meta (4...) : meta holds the rest of the budget
      const fits = envelope({ event: { schema: CLICK, data: { button: 'b', meta: nested(5) } } });
      expect(validator.validate(fits).ok).toBe(true);
      const tooDeep = envelope({ event: { schema: CLICK, data: { button: 'b', meta: nested(6) } } });
      expect(validator.validate(tooDeep)).toEqual({ ok: false, id: ID, reason: 'unsafe_shape', errors: ['/event/data/meta/a/a/a/a/a: nested deeper than 8 levels'] });
    });

    it('counts arrays as levels too', () => {
      const deepArray = envelope({ event: { schema: CLICK, data: { button: 'b', meta: { list: [[[[[]]]]] } } } });
      expect(validator.validate(deepArray)).toMatchObject({ ok: false, errors: [expect.stringContaining('nested deeper than 8 levels')] });
    });

    it('survives nesting far deeper than any stack (10^5 levels)', () => {
      const text = `{"id":"${ID}","event":{"schema":"${CLICK}","data":{"meta":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`;
      const verdict = validator.validate(JSON.parse(text));
      expect(verdict).toMatchObject({ ok: false, id: ID, errors: [expect.stringContaining('nested deeper than 8 levels')] });
    });

    it.each([
      ['at the top level', `{"__proto__":{"polluted":true},"id":"${ID}"}`, '/__proto__: forbidden key'],
      ['inside event data', `{"id":"${ID}","event":{"schema":"${CLICK}","data":{"button":"b","meta":{"__proto__":{"polluted":true}}}}}`, '/event/data/meta/__proto__: forbidden key'],
      ['inside an array', `{"id":"${ID}","entities":[{"__proto__":{"polluted":true}}]}`, '/entities/0/__proto__: forbidden key'],
    ])('rejects a __proto__ key %s', (_name, text, error) => {
      const verdict = validator.validate(JSON.parse(text));
      expect(verdict).toEqual({ ok: false, id: ID, reason: 'unsafe_shape', errors: [error] });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('treats constructor and prototype keys as inert data', () => {
      const event = envelope({ event: { schema: CLICK, data: { button: 'b', meta: JSON.parse('{"constructor":{"prototype":{"polluted":true}},"prototype":1}') } } });
      expect(validator.validate(event).ok).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });
  });
});

describe('checkShape', () => {
  it.each<[unknown, number, string | undefined]>([
    [1, 1, undefined],
    [null, 1, undefined],
    [{}, 1, undefined],
    [{ a: {} }, 1, '/a: nested deeper than 1 levels'],
    [[[]], 2, undefined],
    [[[[]]], 2, '/0/0: nested deeper than 2 levels'],
    [{ 'a/b': { 'c~d': {} } }, 2, '/a~1b/c~0d: nested deeper than 2 levels'],
  ])('%j with maxDepth %i → %j', (value, maxDepth, error) => {
    expect(checkShape(value, maxDepth)).toBe(error);
  });
});

describe('countMembers', () => {
  it.each<[unknown, number]>([
    [1, 0],
    [[], 0],
    [{}, 0],
    [{ a: 1, b: 'x' }, 2],
    [{ a: { b: { c: null } } }, 3],
    [[{ a: 1 }, [{ b: 1, c: [] }]], 3],
    [JSON.parse('{"a": 1, "a": 2}'), 1], // a repeated key is one member once parsed
  ])('%j has %i object members', (value, members) => {
    expect(countMembers(value, 32)).toBe(members);
  });

  it('is -1 for an unsafe shape', () => {
    expect(countMembers(JSON.parse('{"a": {"__proto__": {}}}'), 32)).toBe(-1);
    expect(countMembers({ a: { b: {} } }, 2)).toBe(-1);
  });
});
