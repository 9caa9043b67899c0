import { describe, expect, it } from 'vitest';
import { checkPiiMarks } from './pii-marks.js';

const FILE = 'schemas/com.acme/signup/jsonschema/1-0-0';
const problems = (schema: Record<string, unknown>): string[] => checkPiiMarks(schema, FILE).map((e) => `${e.pointer} ${e.message}`);
const bad = { type: 'string', 'x-pii': 'hsah' };

describe('x-pii marks', () => {
  it.each(['hash', 'redact', 'drop'])('accepts %s', (action) => {
    expect(problems({ properties: { email: { type: 'string', 'x-pii': action } } })).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['a misspelling', 'hsah'],
    ['another case', 'HASH'],
    ['true', true],
    ['"yes"', 'yes'],
    ['an empty string', ''],
    ['null', null],
    ['a list of actions', ['hash']],
  ])('rejects %s, giving the value and the allowed values', (_name, value) => {
    expect(problems({ properties: { email: { type: 'string', 'x-pii': value } } })).toEqual([
      `/properties/email/x-pii x-pii must be "hash", "redact" or "drop", not ${JSON.stringify(value)}`,
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a top-level property', { properties: { email: bad } }, '/properties/email/x-pii'],
    ['a nested property', { properties: { user: { type: 'object', properties: { email: bad } } } }, '/properties/user/properties/email/x-pii'],
    ['array items', { properties: { emails: { type: 'array', items: bad } } }, '/properties/emails/items/x-pii'],
    ['a property of array items', { properties: { contacts: { type: 'array', items: { properties: { email: bad } } } } }, '/properties/contacts/items/properties/email/x-pii'],
    ['tuple items', { properties: { pair: { type: 'array', items: [{ type: 'string' }, bad] } } }, '/properties/pair/items/1/x-pii'],
    ['a definition', { definitions: { contact: { properties: { email: bad } } } }, '/definitions/contact/properties/email/x-pii'],
    ['a oneOf branch', { oneOf: [{ properties: { email: bad } }] }, '/oneOf/0/properties/email/x-pii'],
    ['additionalProperties', { additionalProperties: bad }, '/additionalProperties/x-pii'],
    ['patternProperties', { patternProperties: { '^mail/': bad } }, '/patternProperties/^mail~1/x-pii'],
    ['the schema itself', { ...bad }, '/x-pii'],
  ])('finds a bad mark in %s and names its JSON pointer', (_name, schema, pointer) => {
    expect(checkPiiMarks(schema, FILE).map((e) => e.pointer)).toEqual([pointer]);
  });

  const ignored = 'x-pii is applied to properties and list items only: here it would be ignored and the value sent in clear';
  it.each<[string, Record<string, unknown>, string]>([
    ['the schema itself', { type: 'object', 'x-pii': 'hash' }, ''],
    ['a branch of the schema itself', { oneOf: [{ 'x-pii': 'drop' }] }, '/oneOf/0'],
    ['additionalProperties', { additionalProperties: { type: 'string', 'x-pii': 'hash' } }, '/additionalProperties'],
    ['patternProperties', { patternProperties: { '^mail': { 'x-pii': 'redact' } } }, '/patternProperties/^mail'],
    ['tuple items', { properties: { pair: { items: [{ type: 'string' }, { 'x-pii': 'hash' }] } } }, '/properties/pair/items/1'],
    ['a property below additionalProperties', { additionalProperties: { properties: { email: { 'x-pii': 'hash' } } } }, '/additionalProperties/properties/email'],
  ])('rejects a valid mark in %s, where the generated rules would not apply it', (_name, schema, at) => {
    expect(problems(schema)).toEqual([`${at}/x-pii ${ignored}`]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a nested property', { properties: { user: { properties: { email: { 'x-pii': 'hash' } } } } }],
    ['list items', { properties: { emails: { items: { 'x-pii': 'hash' } } } }],
    ['a branch of a property', { properties: { contact: { anyOf: [{ 'x-pii': 'redact' }, { type: 'null' }] } } }],
    ['a definition', { definitions: { email: { type: 'string', 'x-pii': 'hash' } }, properties: { email: { $ref: '#/definitions/email' } } }],
  ])('accepts a mark in %s', (_name, schema) => {
    expect(problems(schema)).toEqual([]);
  });

  it('reports every bad mark, not only the first', () => {
    expect(problems({ properties: { email: bad, phone: { 'x-pii': 'yes' } } })).toHaveLength(2);
  });

  it('reads a property named x-pii as a property, and data keywords as data', () => {
    expect(problems({ properties: { 'x-pii': { type: 'string' } }, default: { 'x-pii': 'anything' }, enum: [{ 'x-pii': 1 }] })).toEqual([]);
  });

  it('is a load error with the file, the pointer and the rule, printed like every schema error', () => {
    const [error] = checkPiiMarks({ properties: { email: bad } }, FILE);
    expect(error).toMatchObject({ code: 'SCHEMA_EXTENSION', file: FILE, pointer: '/properties/email/x-pii', rule: 'x-pii' });
    expect(error?.format()).toBe(`${FILE}#/properties/email/x-pii: x-pii must be "hash", "redact" or "drop", not "hsah" [x-pii]`);
  });
});
