import { describe, expect, it } from 'vitest';
import { compileSchema } from './compile-schema.js';
import { createSchemaEngine } from './engine.js';
import { schemaProblems } from './schema-problems.js';

const problems = (body: Record<string, unknown>): [string, string][] => schemaProblems(body, createSchemaEngine()).map((p) => [p.pointer, p.rule]);

describe('schemaProblems: what the collector cannot load, with pointer and rule', () => {
  it.each<[string, Record<string, unknown>, [string, string][]]>([
    ['a misspelled type', { properties: { a: { type: 'strin' } } }, [['/properties/a/type', 'json-schema']]],
    ['a negative maxLength', { properties: { a: { maxLength: -1 } } }, [['/properties/a/maxLength', 'json-schema']]],
    ['required as a string', { required: 'a' }, [['/required', 'json-schema']]],
    ['a pattern that is no regular expression', { properties: { a: { pattern: '(' } } }, [['/properties/a/pattern', 'pattern']]],
    ['a pattern JavaScript only compiles without the u flag', { properties: { a: { pattern: '\\-' } } }, [['/properties/a/pattern', 'pattern']]],
    ['a patternProperties key that is no regular expression with u', { patternProperties: { '[a-\\w]': {} } }, [['/patternProperties/[a-\\w]', 'pattern']]],
    ['a $ref to nothing', { properties: { a: { $ref: '#/definitions/nope' } } }, [['/properties/a/$ref', 'ref']]],
  ])('%s', (_name, body, want) => {
    expect(problems(body)).toEqual(want);
  });

  it('none for a valid schema with Iglu extension keywords and unknown formats', () => {
    expect(problems({ type: 'object', properties: { e: { type: 'string', format: 'no-such-format', 'x-pii': 'hash' } }, 'x-tracklane': { kind: 'event' } })).toEqual([]);
  });
});

describe('compileSchema', () => {
  it('validates data, reporting violations with their JSON pointer', () => {
    const validate = compileSchema({ properties: { n: { type: 'integer', minimum: 1 } } });
    expect(validate({ n: 2 })).toBe(true);
    expect(validate({ n: 0 })).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.keyword])).toEqual([['/n', 'minimum']]);
  });

  it('counts own properties only: required "constructor" is not met by {}', () => {
    const validate = compileSchema({ required: ['constructor', 'toString'] });
    expect(validate({})).toBe(false);
    expect(validate(JSON.parse('{"constructor": 1, "toString": 2}'))).toBe(true);
  });

  it('compares enum and uniqueItems values by own keys: keys named valueOf or toString neither throw nor count twice', () => {
    const unique = compileSchema({ uniqueItems: true });
    expect(unique(JSON.parse('[{"valueOf": 1}, {"valueOf": 1}]'))).toBe(false);
    expect(unique(JSON.parse('[{"valueOf": 1}, {"valueOf": 2}]'))).toBe(true);
    const oneOf = compileSchema({ enum: [{ toString: 1 }, [1, { constructor: 'x' }]] });
    expect(oneOf(JSON.parse('{"toString": 1}'))).toBe(true);
    expect(oneOf(JSON.parse('[1, {"constructor": "x"}]'))).toBe(true);
    expect(oneOf(JSON.parse('{"toString": 2}'))).toBe(false);
    expect(oneOf({})).toBe(false);
  });

  it('throws INVALID_SCHEMA naming the pointer and rule of what cannot be loaded', () => {
    expect(() => compileSchema({ properties: { a: { type: 'strin' } } })).toThrow(expect.objectContaining({ code: 'INVALID_SCHEMA', message: expect.stringContaining('/properties/a/type: not a valid draft-04 schema here') as unknown }));
  });
});
