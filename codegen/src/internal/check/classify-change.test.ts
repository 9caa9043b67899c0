import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../load/types.js';
import { classifyChange } from './classify-change.js';

const obj = (properties: Record<string, JsonSchema>, required: string[] = [], closed = true): JsonSchema => ({
  type: 'object', properties, required, ...(closed ? { additionalProperties: false } : {}),
});
const str: JsonSchema = { type: 'string' };

/** Pairs of versions and the SchemaVer change Snowplow's rules give them. */
const PAIRS: [string, JsonSchema, JsonSchema, 'ADDITION' | 'REVISION' | 'MODEL', string][] = [
  ['add an optional field (closed object)', obj({ a: str }), obj({ a: str, b: str }), 'ADDITION', '/properties/b'],
  ['add an optional field to an open object', obj({ a: str }, [], false), obj({ a: str, b: str }, [], false), 'REVISION', '/properties/b'],
  ['add a required field', obj({ a: str }), obj({ a: str, b: str }, ['b']), 'MODEL', '/properties/b'],
  ['make an optional field required', obj({ a: str }), obj({ a: str }, ['a']), 'MODEL', '/required'],
  ['make a required field optional', obj({ a: str }, ['a']), obj({ a: str }), 'ADDITION', '/required'],
  ['change a type', obj({ a: str }), obj({ a: { type: 'integer' } }), 'MODEL', '/properties/a/type'],
  ['change a nullable type', obj({ a: { type: ['string', 'null'] } }), obj({ a: { type: ['integer', 'null'] } }), 'MODEL', '/properties/a/type'],
  ['widen a type with null', obj({ a: str }), obj({ a: { type: ['string', 'null'] } }), 'ADDITION', '/properties/a/type'],
  ['widen integer to number', obj({ a: { type: 'integer' } }), obj({ a: { type: 'number' } }), 'ADDITION', '/properties/a/type'],
  ['narrow a type (drop null)', obj({ a: { type: ['string', 'null'] } }), obj({ a: str }), 'REVISION', '/properties/a/type'],
  ['remove an optional field from a closed object', obj({ a: str, b: str }), obj({ a: str }), 'REVISION', '/additionalProperties'],
  ['remove a required field from a closed object', obj({ a: str, b: str }, ['b']), obj({ a: str }), 'MODEL', '/additionalProperties'],
  ['remove a field from an open object', obj({ a: str, b: str }, [], false), obj({ a: str }, [], false), 'ADDITION', ''],
  ['narrow an enum', obj({ p: { enum: ['free', 'pro', 'team'] } }), obj({ p: { enum: ['free', 'pro'] } }), 'REVISION', '/properties/p/enum'],
  ['widen an enum', obj({ p: { enum: ['free'] } }), obj({ p: { enum: ['free', 'pro'] } }), 'ADDITION', '/properties/p/enum'],
  ['tighten maxLength', obj({ a: { type: 'string', maxLength: 10 } }), obj({ a: { type: 'string', maxLength: 5 } }), 'REVISION', '/properties/a/maxLength'],
  ['relax maxLength', obj({ a: { type: 'string', maxLength: 5 } }), obj({ a: { type: 'string', maxLength: 10 } }), 'ADDITION', '/properties/a/maxLength'],
  ['add a minimum', obj({ n: { type: 'number' } }), obj({ n: { type: 'number', minimum: 0 } }), 'REVISION', '/properties/n/minimum'],
  ['add a pattern', obj({ a: str }), obj({ a: { type: 'string', pattern: '^x' } }), 'REVISION', '/properties/a/pattern'],
  ['close an open object', obj({ a: str }, [], false), obj({ a: str }), 'REVISION', '/additionalProperties'],
  ['open a closed object', obj({ a: str }), obj({ a: str }, [], false), 'ADDITION', '/additionalProperties'],
  ['change a type inside array items', obj({ l: { type: 'array', items: obj({ q: { type: 'integer' } }, ['q']) } }), obj({ l: { type: 'array', items: obj({ q: str }, ['q']) } }), 'MODEL', '/properties/l/items/properties/q/type'],
  ['add a required field inside a nested object', obj({ o: obj({}) }), obj({ o: obj({ x: str }, ['x']) }), 'MODEL', '/properties/o/properties/x'],
  ['change only descriptions', obj({ a: { ...str, description: 'x' } }), obj({ a: { ...str, description: 'y' } }), 'ADDITION', ''],
  ['change a keyword not analysed (oneOf)', { ...obj({ a: str }), oneOf: [{ required: ['a'] }] }, { ...obj({ a: str }), oneOf: [{ required: [] }] }, 'REVISION', '/oneOf'],
];

describe('classifyChange: SchemaVer following Snowplow (ADDITION: all historical data valid, REVISION: some, MODEL: none)', () => {
  it.each(PAIRS)('%s is %s', (_name, from, to, kind, pointer) => {
    const result = classifyChange(from, to);
    expect(result.kind).toBe(kind);
    expect(result.changes.find((c) => c.kind === kind)?.pointer).toBe(pointer);
  });

  it('takes the largest change when there are several', () => {
    const result = classifyChange(obj({ a: str }), obj({ a: { type: 'string', maxLength: 3 }, b: str, c: str }, ['c']));
    expect(result.kind).toBe('MODEL');
    expect(result.changes.map((c) => c.kind).sort()).toEqual(['ADDITION', 'MODEL', 'REVISION']);
  });
});
