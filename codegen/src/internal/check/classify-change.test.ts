import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../load/types.js';
import { classifyChange } from './classify-change.js';
import { validUnder } from './classify-change.support.js';

const obj = (properties: Record<string, JsonSchema>, required: string[] = [], closed = true): JsonSchema => ({
  type: 'object', properties, ...(required.length > 0 ? { required } : {}), ...(closed ? { additionalProperties: false } : {}),
});
const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
const CORPUS = join(import.meta.dirname, '../../../../test/corpora/iglu-central/schemas');
const iglu = (path: string): JsonSchema => JSON.parse(readFileSync(join(CORPUS, path), 'utf8')) as JsonSchema;

/** What the classifier must answer: a kind it proves, or "cannot prove ADDITION". */
type Want = 'ADDITION' | 'REVISION' | 'MODEL' | 'cannot prove';
type Row = [name: string, want: Want, pointer: string, given: { from: JsonSchema; to: JsonSchema }];

const row = (name: string, from: JsonSchema, to: JsonSchema, want: Want, pointer: string): Row => [name, want, pointer, { from, to }];

/** One pair per keyword and direction: loosened is an ADDITION, tightened a REVISION or MODEL (with a witness), the rest undecided. */
const TYPES: Row[] = [
  row('type widened with null', obj({ a: str }), obj({ a: { type: ['string', 'null'] } }), 'ADDITION', '/properties/a/type'),
  row('integer widened to number', obj({ a: int }), obj({ a: { type: 'number' } }), 'ADDITION', '/properties/a/type'),
  row('number narrowed to integer', obj({ a: { type: 'number' } }), obj({ a: int }), 'REVISION', '/properties/a/type'),
  row('type narrowed (null dropped)', obj({ a: { type: ['string', 'null'] } }), obj({ a: str }), 'REVISION', '/properties/a/type'),
  row('type changed', obj({ a: str }), obj({ a: int }), 'MODEL', '/properties/a/type'),
  row('nullable type changed', obj({ a: { type: ['string', 'null'] } }), obj({ a: { type: ['integer', 'null'] } }), 'MODEL', '/properties/a/type'),
  row('type added where any was allowed', obj({ a: {} }), obj({ a: str }), 'REVISION', '/properties/a/type'),
  row('type removed', obj({ a: str }), obj({ a: {} }), 'ADDITION', '/properties/a/type'),
];

const ENUMS: Row[] = [
  row('enum widened', obj({ p: { enum: ['free'] } }), obj({ p: { enum: ['free', 'pro'] } }), 'ADDITION', '/properties/p/enum'),
  row('enum narrowed', obj({ p: { enum: ['free', 'pro', 'team'] } }), obj({ p: { enum: ['free', 'pro'] } }), 'REVISION', '/properties/p/enum'),
  row('enum replaced', obj({ p: { enum: ['free'] } }), obj({ p: { enum: ['pro'] } }), 'MODEL', '/properties/p/enum'),
  row('enum gains the type its values imply', obj({ p: { enum: ['a', 'b'] } }), obj({ p: { type: 'string', enum: ['a', 'b'] } }), 'ADDITION', '/properties/p/enum'),
  row('enum loses a value its type never allowed', obj({ p: { type: 'string', enum: ['a', null] } }), obj({ p: { type: 'string', enum: ['a'] } }), 'ADDITION', '/properties/p/enum'),
  row('enum added to a string', obj({ p: str }), obj({ p: { type: 'string', enum: ['a'] } }), 'REVISION', '/properties/p/enum'),
  row('boolean becomes an enum of both values', obj({ p: { type: 'boolean' } }), obj({ p: { enum: [true, false] } }), 'ADDITION', '/properties/p/enum'),
  row('enum removed', obj({ p: { type: 'string', enum: ['a'] } }), obj({ p: str }), 'ADDITION', '/properties/p'),
];

const BOUNDS: Row[] = [
  row('maxLength tightened', obj({ a: { type: 'string', maxLength: 10 } }), obj({ a: { type: 'string', maxLength: 5 } }), 'REVISION', '/properties/a/maxLength'),
  row('maxLength relaxed', obj({ a: { type: 'string', maxLength: 5 } }), obj({ a: { type: 'string', maxLength: 10 } }), 'ADDITION', '/properties/a/maxLength'),
  row('minimum added', obj({ n: { type: 'number' } }), obj({ n: { type: 'number', minimum: 0 } }), 'REVISION', '/properties/n/minimum'),
  row('minimum removed', obj({ n: { type: 'number', minimum: 0 } }), obj({ n: { type: 'number' } }), 'ADDITION', '/properties/n'),
  row('maximum made exclusive', obj({ n: { type: 'number', maximum: 9 } }), obj({ n: { type: 'number', maximum: 9, exclusiveMaximum: true } }), 'REVISION', '/properties/n/maximum'),
  row('maxLength added on a property that only allows integers', obj({ n: int }), obj({ n: { type: 'integer', maxLength: 3 } }), 'ADDITION', ''),
  row('multipleOf tightened', obj({ n: { type: 'number', multipleOf: 2 } }), obj({ n: { type: 'number', multipleOf: 4 } }), 'REVISION', '/properties/n/multipleOf'),
  row('multipleOf relaxed', obj({ n: { type: 'number', multipleOf: 4 } }), obj({ n: { type: 'number', multipleOf: 2 } }), 'ADDITION', '/properties/n/multipleOf'),
  row('multipleOf 1 on integers', obj({ n: int }), obj({ n: { type: 'integer', multipleOf: 1 } }), 'ADDITION', '/properties/n/multipleOf'),
  row('maxItems tightened', obj({ l: { type: 'array', maxItems: 3 } }), obj({ l: { type: 'array', maxItems: 2 } }), 'REVISION', '/properties/l/maxItems'),
];

const STRINGS: Row[] = [
  row('pattern added', obj({ a: str }), obj({ a: { type: 'string', pattern: '^x' } }), 'REVISION', '/properties/a/pattern'),
  row('pattern removed', obj({ a: { type: 'string', pattern: '^x' } }), obj({ a: str }), 'ADDITION', '/properties/a'),
  row('pattern widened (regex inclusion is not decided)', obj({ a: { type: 'string', pattern: '^a$' } }), obj({ a: { type: 'string', pattern: '^(a|b)$' } }), 'cannot prove', '/properties/a/pattern'),
  row('format added', obj({ a: str }), obj({ a: { type: 'string', format: 'date-time' } }), 'REVISION', '/properties/a/format'),
  row('maxLength added that an anchored pattern implies', obj({ a: { type: 'string', pattern: '^[a-f]{3}$|^x$' } }), obj({ a: { type: 'string', pattern: '^[a-f]{3}$|^x$', maxLength: 3 } }), 'ADDITION', '/properties/a/maxLength'),
  row('maxLength added below what an anchored pattern allows', obj({ a: { type: 'string', pattern: '^[a-f]{3}$' } }), obj({ a: { type: 'string', pattern: '^[a-f]{3}$', maxLength: 2 } }), 'REVISION', '/properties/a/maxLength'),
  row('maxLength added on an unanchored pattern', obj({ a: { type: 'string', pattern: '[a-f]{3}' } }), obj({ a: { type: 'string', pattern: '[a-f]{3}', maxLength: 3 } }), 'REVISION', '/properties/a/maxLength'),
];

const OBJECTS: Row[] = [
  row('optional property added to a closed object', obj({ a: str }), obj({ a: str, b: str }), 'ADDITION', '/properties/b'),
  row('optional property added to an open object', obj({ a: str }, [], false), obj({ a: str, b: str }, [], false), 'REVISION', '/properties/b'),
  row('a required key of an open object gets a schema', { type: 'object', required: ['a'] }, { type: 'object', required: ['a'], properties: { a: { enum: ['x'] } } }, 'REVISION', '/properties/a'),
  row('required property added', obj({ a: str }), obj({ a: str, b: str }, ['b']), 'MODEL', '/properties/b'),
  row('optional property made required', obj({ a: str }), obj({ a: str }, ['a']), 'MODEL', '/required'),
  row('required property made optional', obj({ a: str }, ['a']), obj({ a: str }), 'ADDITION', '/required'),
  row('optional property removed from a closed object', obj({ a: str, b: str }), obj({ a: str }), 'REVISION', '/additionalProperties'),
  row('required property removed from a closed object', obj({ a: str, b: str }, ['b']), obj({ a: str }), 'MODEL', '/additionalProperties'),
  row('property removed from an open object', obj({ a: str, b: str }, [], false), obj({ a: str }, [], false), 'ADDITION', ''),
  row('object closed', obj({ a: str }, [], false), obj({ a: str }), 'REVISION', '/additionalProperties'),
  row('object opened', obj({ a: str }), obj({ a: str }, [], false), 'ADDITION', '/additionalProperties'),
  row('required under a property that becomes string or object', obj({ p: str }), obj({ p: { type: ['string', 'object'], properties: { k: str }, required: ['k'] } }), 'ADDITION', '/properties/p/type'),
  row('required added under a string-or-object property', obj({ p: { type: ['string', 'object'] } }), obj({ p: { type: ['string', 'object'], required: ['k'] } }), 'REVISION', '/properties/p/required'),
  row('maxProperties 0 on an object that had no properties', { type: 'object', additionalProperties: false }, { type: 'object', maxProperties: 0 }, 'ADDITION', '/maxProperties'),
  row('maxProperties 0 on an open object', { type: 'object' }, { type: 'object', maxProperties: 0 }, 'REVISION', '/maxProperties'),
  row('required added to an object that holds no keys', { type: 'object', maxProperties: 0 }, { type: 'object', maxProperties: 0, required: ['a'] }, 'MODEL', '/required'),
  row('additionalProperties schema widened', { type: 'object', additionalProperties: str }, { type: 'object', additionalProperties: { type: ['string', 'null'] } }, 'ADDITION', '/additionalProperties/type'),
  row('additionalProperties schema narrowed', { type: 'object', additionalProperties: {} }, { type: 'object', additionalProperties: str }, 'REVISION', '/additionalProperties/type'),
  row('property removed where additionalProperties is a schema', { type: 'object', properties: { a: int }, additionalProperties: str }, { type: 'object', additionalProperties: str }, 'MODEL', '/additionalProperties/type'),
  row('patternProperties added to an open object', { type: 'object' }, { type: 'object', patternProperties: { '^x_': str } }, 'REVISION', '/patternProperties/^x_/type'),
  row('patternProperties schema widened', { type: 'object', patternProperties: { '^x_': str }, additionalProperties: false }, { type: 'object', patternProperties: { '^x_': {} }, additionalProperties: false }, 'ADDITION', '/patternProperties/^x_/type'),
  row('patternProperties removed from a closed object', { type: 'object', patternProperties: { '^x_': str }, additionalProperties: false }, { type: 'object', additionalProperties: false }, 'REVISION', '/patternProperties/^x_'),
  row('dependencies added', obj({ a: str, b: str }), { ...obj({ a: str, b: str }), dependencies: { a: ['b'] } }, 'REVISION', '/dependencies/a'),
];

const ARRAYS: Row[] = [
  row('items type changed', obj({ l: { type: 'array', items: obj({ q: int }, ['q']) } }), obj({ l: { type: 'array', items: obj({ q: str }, ['q']) } }), 'MODEL', '/properties/l/items/properties/q/type'),
  row('items widened', obj({ l: { type: 'array', items: int } }), obj({ l: { type: 'array', items: { type: ['integer', 'string'] } } }), 'ADDITION', '/properties/l/items/type'),
  row('tuple item tightened', { type: 'array', items: [str, str] }, { type: 'array', items: [str, { type: 'string', maxLength: 2 }] }, 'REVISION', '/items/1/maxLength'),
  row('tuple closed (additionalItems false)', { type: 'array', items: [str] }, { type: 'array', items: [str], additionalItems: false }, 'REVISION', '/additionalItems'),
  row('tuple becomes one items schema that takes all its items', { type: 'array', items: [str, str], additionalItems: false }, { type: 'array', items: str }, 'ADDITION', ''),
  row('uniqueItems added', obj({ l: { type: 'array', items: str } }), obj({ l: { type: 'array', items: str, uniqueItems: true } }), 'REVISION', '/properties/l/uniqueItems'),
];

const branchA = obj({ kind: { enum: ['a'] }, a: str }, ['kind']);
const branchB = obj({ kind: { enum: ['b'] }, b: str }, ['kind']);
const open = (required: string): JsonSchema => ({ type: 'object', properties: { [required]: str }, required: [required] });
const COMBINATORS: Row[] = [
  row('anyOf branch added', { anyOf: [str] }, { anyOf: [str, int] }, 'ADDITION', ''),
  row('anyOf branch removed', { anyOf: [str, int] }, { anyOf: [str] }, 'REVISION', '/anyOf/0/type'),
  row('old anyOf narrowed to one of its branches', { anyOf: [str, int] }, str, 'REVISION', '/type'),
  row('anyOf branch tightened', { anyOf: [str, int] }, { anyOf: [{ type: 'string', maxLength: 3 }, int] }, 'REVISION', '/anyOf/0/maxLength'),
  row('oneOf branch added, branches exclusive', { oneOf: [branchA] }, { oneOf: [branchA, branchB] }, 'ADDITION', ''),
  row('oneOf branch added that overlaps another', { type: 'object', oneOf: [open('x')] }, { type: 'object', oneOf: [open('x'), open('y')] }, 'REVISION', '/oneOf/1'),
  row('oneOf branch removed', { oneOf: [branchA, branchB] }, { oneOf: [branchA] }, 'REVISION', '/oneOf/0/properties/kind/enum'),
  row('oneOf branch tightened', { oneOf: [branchA, branchB] }, { oneOf: [branchA, obj({ kind: { enum: ['b'] }, b: { type: 'string', maxLength: 1 } }, ['kind'])] }, 'REVISION', '/oneOf/1/properties/b/maxLength'),
  row('allOf branch added', { allOf: [open('x')] }, { allOf: [open('x'), open('y')] }, 'MODEL', '/allOf/1/properties/y'),
  row('allOf branch removed', { allOf: [open('x'), open('y')] }, { allOf: [open('x')] }, 'ADDITION', ''),
  row('oneOf nested in a new anyOf: its branches overlap on old data', { oneOf: [{ anyOf: [int] }] }, { anyOf: [{ oneOf: [{ oneOf: [{}, { type: 'string', maxLength: 0 }] }, int] }, str] }, 'REVISION', '/anyOf/0/oneOf/1'),
  row('not added', str, { ...str, not: { enum: ['x'] } }, 'REVISION', '/not'),
  row('not removed', { ...str, not: { enum: ['x'] } }, str, 'ADDITION', ''),
  row('not refuses less', { ...str, not: { enum: ['x', 'y'] } }, { ...str, not: { enum: ['x'] } }, 'ADDITION', '/not'),
  row('not refuses more', { ...str, not: { enum: ['x'] } }, { ...str, not: { enum: ['x', 'y'] } }, 'REVISION', '/not'),
  row('contains added (a keyword no rule reads: a witness decides)', { type: 'array' }, { type: 'array', contains: str }, 'REVISION', '/contains'),
  row('propertyNames added (a keyword no rule reads, no witness)', obj({ a: str }), { ...obj({ a: str }), propertyNames: { maxLength: 5 } }, 'cannot prove', '/propertyNames'),
];

const defs = (d: JsonSchema): JsonSchema => ({ definitions: { d }, ...obj({ p: { $ref: '#/definitions/d' } }) });
const IGLU = 'iglu:com.acme/address/jsonschema/1-0-0';
const tree = (v: JsonSchema): JsonSchema => obj({ v, kids: { type: 'array', items: { $ref: '#' } } });
const REFS: Row[] = [
  row('$ref target widened', defs(str), defs({ type: ['string', 'null'] }), 'ADDITION', '/properties/p/type'),
  row('$ref target tightened', defs(str), defs({ type: 'string', maxLength: 2 }), 'REVISION', '/properties/p/maxLength'),
  row('$ref to another definition that takes the same data', defs(str), { definitions: { d: str, e: { type: 'string' } }, ...obj({ p: { $ref: '#/definitions/e' } }) }, 'ADDITION', ''),
  row('recursive $ref (a tree), a value widened', tree(int), tree({ type: 'number' }), 'ADDITION', '/properties/v/type'),
  row('recursive $ref (a tree), a value tightened', tree(int), tree({ type: 'integer', maximum: 3 }), 'REVISION', '/properties/v/maximum'),
  row('Iglu $ref to another schema version', obj({ p: { $ref: 'http://iglucentral.com/schemas/com.acme/x/jsonschema/1-0-0#' } }), obj({ p: { $ref: 'http://iglucentral.com/schemas/com.acme/x/jsonschema/1-0-1#' } }), 'cannot prove', '/properties/p/$ref'),
  row('a change beside an Iglu $ref: the witness leaves the referenced part out', obj({ p: { $ref: IGLU }, q: str }), obj({ p: { $ref: IGLU }, q: { type: 'string', maxLength: 1 } }), 'REVISION', '/properties/q/maxLength'),
  row('a change beside a required Iglu $ref: no witness can do without it', obj({ p: { $ref: IGLU }, q: str }, ['p']), obj({ p: { $ref: IGLU }, q: { type: 'string', maxLength: 1 } }, ['p']), 'cannot prove', '/properties/q/maxLength'),
  row('descriptions only', obj({ a: { ...str, description: 'x' } }), obj({ a: { ...str, description: 'y' } }), 'ADDITION', ''),
];

/** Real pairs from Iglu Central's history. */
const IGLU_CENTRAL: Row[] = [
  row('postgresql_config 1-0-1 -> 1-1-0: password string -> string|object with a required key, sshTunnel added to a closed object', iglu('com.snowplowanalytics.snowplow.storage/postgresql_config/jsonschema/1-0-1'), iglu('com.snowplowanalytics.snowplow.storage/postgresql_config/jsonschema/1-1-0'), 'ADDITION', '/properties/password/type'),
  row('resolver-config 1-0-0 -> 1-0-1: a property added to one closed oneOf branch, branches stay exclusive', iglu('com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-0'), iglu('com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-1'), 'ADDITION', '/properties/repositories/items/properties/connection/oneOf/1/properties/http/properties/apikey'),
  row('snowflake_config 1-0-1 -> 1-0-2: descriptions inside oneOf branches', iglu('com.snowplowanalytics.snowplow.storage/snowflake_config/jsonschema/1-0-1'), iglu('com.snowplowanalytics.snowplow.storage/snowflake_config/jsonschema/1-0-2'), 'ADDITION', '/properties/badOutputUrl'),
  row('snowflake_config 1-0-2 -> 1-0-3: a oneOf branch added that overlaps open branches', iglu('com.snowplowanalytics.snowplow.storage/snowflake_config/jsonschema/1-0-2'), iglu('com.snowplowanalytics.snowplow.storage/snowflake_config/jsonschema/1-0-3'), 'REVISION', '/properties/auth/oneOf/3'),
  row('schema_violations 2-0-0 -> 2-0-1: a property added inside closed anyOf branches', iglu('com.snowplowanalytics.snowplow.badrows/schema_violations/jsonschema/2-0-0'), iglu('com.snowplowanalytics.snowplow.badrows/schema_violations/jsonschema/2-0-1'), 'ADDITION', '/properties/failure/properties/messages/items/anyOf/3/properties/error/anyOf/1/properties/supersededBy'),
  row('application_error 1-0-1 -> 1-0-2: an enum gains its implied type', iglu('com.snowplowanalytics.snowplow/application_error/jsonschema/1-0-1'), iglu('com.snowplowanalytics.snowplow/application_error/jsonschema/1-0-2'), 'ADDITION', '/properties/programmingLanguage/enum'),
  row('loader_runtime_error 1-0-0 -> 1-0-1: required properties renamed', iglu('com.snowplowanalytics.snowplow.badrows/loader_runtime_error/jsonschema/1-0-0'), iglu('com.snowplowanalytics.snowplow.badrows/loader_runtime_error/jsonschema/1-0-1'), 'MODEL', '/properties/payload'),
  row('remote_config 1-0-0 -> 1-0-1: maximum added', iglu('com.snowplowanalytics.mobile/remote_config/jsonschema/1-0-0'), iglu('com.snowplowanalytics.mobile/remote_config/jsonschema/1-0-1'), 'REVISION', '/properties/configurationVersion/maximum'),
  row('client_session 1-0-0 -> 1-0-1: maxLength 36 on a string whose anchored pattern allows no more', iglu('com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-0'), iglu('com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-1'), 'ADDITION', '/properties/userId/maxLength'),
];

describe.each([
  ['types', TYPES], ['enum', ENUMS], ['bounds', BOUNDS], ['strings', STRINGS], ['objects', OBJECTS], ['arrays', ARRAYS],
  ['combinators', COMBINATORS], ['$ref', REFS], ['Iglu Central history', IGLU_CENTRAL],
])('classifyChange, %s: given two versions, it answers the SchemaVer kind it can prove', (_group, rows) => {
  it.each(rows)('%s: %s at "%s"', (_name, want, pointer, { from, to }) => {
    const result = classifyChange(from, to);
    if (want === 'cannot prove') {
      expect(result.kind).toBe('ADDITION');
      expect(result.undecided).toBe(true);
      const unproven = result.changes.filter((c) => c.undecided);
      expect(unproven.map((c) => c.pointer)).toContain(pointer);
      for (const c of unproven) expect(c.message).toMatch(/^cannot prove ADDITION: /);
      return;
    }
    expect(result.kind).toBe(want);
    expect(result.undecided).toBe(false);
    const found = result.changes.filter((c) => c.kind === want);
    expect(found.map((c) => c.pointer)).toContain(pointer);
    // Every breaking verdict carries an instance valid before and invalid now, checked here again.
    for (const c of result.changes.filter((change) => change.kind !== 'ADDITION')) {
      expect(validUnder(from, c.witness, 'old'), `${c.pointer}: ${JSON.stringify(c.witness)}`).toBe(true);
      expect(validUnder(to, c.witness, 'new'), `${c.pointer}: ${JSON.stringify(c.witness)}`).toBe(false);
    }
  });
});

describe('classifyChange', () => {
  it('takes the largest change when there are several', () => {
    const result = classifyChange(obj({ a: str }), obj({ a: { type: 'string', maxLength: 3 }, b: str, c: str }, ['c']));
    expect(result.kind).toBe('MODEL');
    expect([...new Set(result.changes.map((c) => c.kind))].sort()).toEqual(['ADDITION', 'MODEL', 'REVISION']);
  });

  it('proves nothing breaking when a version does not compile, and says so', () => {
    const result = classifyChange(obj({ a: str }), obj({ a: { type: 'string', pattern: '(' } }));
    expect(result.kind).toBe('ADDITION');
    expect(result.changes).toEqual([expect.objectContaining({ undecided: true, pointer: '/properties/a/pattern' })]);
  });
});
