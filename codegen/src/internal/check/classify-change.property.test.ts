import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../load/types.js';
import { classifyChange } from './classify-change.js';
import { validatorFor } from './classify-change.support.js';

/** Small draft-04 schemas over a few keywords, so that random pairs often relate. */
const leaf: fc.Arbitrary<JsonSchema> = fc.oneof(
  fc.constantFrom<JsonSchema>({}, { type: 'string' }, { type: 'integer' }, { type: 'number' }, { type: ['string', 'null'] }, { type: 'boolean' }, { type: 'null' }),
  fc.record({ type: fc.constant('string'), maxLength: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ type: fc.constant('string'), pattern: fc.constantFrom('^a', '^[ab]$', 'b$', '^(a|b)$') }),
  fc.record({ type: fc.constantFrom('integer', 'number'), minimum: fc.integer({ min: -1, max: 2 }), maximum: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('number'), multipleOf: fc.constantFrom(0.5, 1, 2) }),
  fc.record({ enum: fc.uniqueArray(fc.constantFrom<unknown>('a', 'b', 1, null, true), { minLength: 1, maxLength: 3 }) }),
);

const schema: fc.Arbitrary<JsonSchema> = fc.letrec<{ node: JsonSchema }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      type: fc.constantFrom<JsonSchema['type']>('object', ['object', 'string']),
      properties: fc.record({ a: tie('node'), b: tie('node') }, { requiredKeys: [] }),
      required: fc.subarray(['a', 'b'], { minLength: 1 }),
      additionalProperties: fc.oneof(fc.boolean(), tie('node')),
      patternProperties: fc.record({ '^a': tie('node'), '^c': tie('node') }, { requiredKeys: [] }),
      dependencies: fc.constantFrom<JsonSchema['dependencies']>({ a: ['b'] }, { b: ['a', 'c'] }),
      maxProperties: fc.constantFrom(0, 1, 2),
    }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('array'), items: fc.oneof(tie('node'), fc.tuple(tie('node'), tie('node'))), additionalItems: fc.boolean(), maxItems: fc.constantFrom(1, 2) }, { requiredKeys: ['type'] }),
    fc.record({ anyOf: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ oneOf: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ allOf: fc.array(tie('node'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ type: fc.constantFrom('string', 'integer'), not: tie('node') }),
  ),
})).node;

/** Some schemas keep a part under `definitions` and point at it with `$ref`, in one version or both. */
const rooted: fc.Arbitrary<JsonSchema> = fc.oneof(
  schema,
  fc.tuple(schema, schema).map(([d, s]): JsonSchema => ({ definitions: { d }, type: 'object', properties: { a: { $ref: '#/definitions/d' }, b: s } })),
);

/** Values the schemas above tell apart: every type, the edges of their bounds, objects and arrays of them. */
const scalar = fc.constantFrom<unknown>(null, true, false, 0, 1, -1, 2, 3, 4, 0.5, 1.5, '', 'a', 'b', 'ab', 'abc', 'abcd', 'ba');
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.record({ a: tie('v'), b: tie('v'), c: tie('v') }, { requiredKeys: [] }),
  ),
})).v;

/** A schema and a small edit of it (a keyword dropped or added, a union or intersection), or two unrelated schemas. */
const pair: fc.Arbitrary<[JsonSchema, JsonSchema]> = fc.oneof(
  fc.tuple(rooted, rooted),
  fc.tuple(rooted, leaf, fc.nat(), fc.constantFrom('drop', 'add', 'anyOf', 'allOf', 'property')).map(([s, extra, pick, edit]): [JsonSchema, JsonSchema] => {
    const keys = Object.keys(s).filter((k) => k !== 'definitions'); // a $ref needs its definition
    const key = keys[pick % Math.max(keys.length, 1)];
    if (edit === 'drop' && key !== undefined) return [s, Object.fromEntries(Object.entries(s).filter(([k]) => k !== key))];
    if (edit === 'add') return [s, { ...s, ...extra }];
    // Definitions stay at the root, where `#/definitions/...` points.
    const { definitions, ...body } = s;
    const root = definitions ? { definitions } : {};
    if (edit === 'anyOf') return [s, { ...root, anyOf: [body, extra] }];
    if (edit === 'allOf') return [s, { ...root, allOf: [body, extra] }];
    return [s, { ...s, properties: { ...s.properties, a: extra } }];
  }),
);

describe('classifyChange on random schema pairs', () => {
  it('never calls a change an ADDITION when some value valid before is invalid now, and every witness holds', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(pair, fc.array(value, { minLength: 40, maxLength: 40 }), ([from, to], values) => {
        const result = classifyChange(from, to);
        const before = validatorFor(from, 'old');
        const after = validatorFor(to, 'new');
        for (const c of result.changes.filter((change) => change.kind !== 'ADDITION' && !change.undecided)) {
          expect([before(c.witness), after(c.witness)], JSON.stringify(c.witness)).toEqual([true, false]);
        }
        if (result.kind !== 'ADDITION' || result.undecided) return;
        for (const v of values) if (before(v)) expect(after(v), JSON.stringify(v)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('proves a schema against itself and against its own widening by anyOf', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(rooted, schema, (s, other) => {
        expect(classifyChange(s, s)).toEqual({ kind: 'ADDITION', changes: [], undecided: false });
        const { definitions, ...body } = s;
        const widened = classifyChange(s, { ...(definitions ? { definitions } : {}), anyOf: [body, other] });
        expect(widened.kind).toBe('ADDITION');
      }),
      { numRuns: 200 },
    );
  });
});
