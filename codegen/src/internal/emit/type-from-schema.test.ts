import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../load/types.js';
import { printNode } from './ts-helpers.js';
import { typeFromSchema } from './type-from-schema.js';

const render = (schema: JsonSchema, igluTypes = new Map<string, string>()): string =>
  printNode(typeFromSchema(schema, { root: schema, igluTypes })).replace(/\s+/g, ' ');

describe('typeFromSchema: each JSON Schema construct has one TypeScript type', () => {
  it.each<[string, JsonSchema, string]>([
    ['string', { type: 'string' }, 'string'],
    ['integer is number', { type: 'integer' }, 'number'],
    ['number', { type: 'number' }, 'number'],
    ['boolean', { type: 'boolean' }, 'boolean'],
    ['null', { type: 'null' }, 'null'],
    ['nullable type array', { type: ['string', 'null'] }, 'string | null'],
    ['format date-time is a string', { type: 'string', format: 'date-time' }, 'string'],
    ['string enum as literal union', { type: 'string', enum: ['free', 'pro'] }, "'free' | 'pro'"],
    ['nullable enum', { type: ['string', 'null'], enum: ['a', null] }, "'a' | null"],
    ['numeric enum with a negative', { enum: [1, -1, 2.5] }, '1 | -1 | 2.5'],
    ['enum of objects falls back to unknown', { enum: [{ a: 1 }] }, 'unknown'],
    ['const', { const: 'x' }, "'x'"],
    ['no type at all', {}, 'unknown'],
    ['array of strings', { type: 'array', items: { type: 'string' } }, 'string[]'],
    ['array of a union is parenthesised', { type: 'array', items: { type: ['string', 'number'] } }, '(string | number)[]'],
    ['array without items', { type: 'array' }, 'unknown[]'],
    ['tuple items become a union array', { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] }, '(string | number)[]'],
    ['closed object: required and optional', { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a'], additionalProperties: false }, '{ a: string; b?: number; }'],
    ['open object gets an index signature', { type: 'object', properties: { a: { type: 'string' } } }, '{ a?: string; [key: string]: unknown; }'],
    ['typed additionalProperties with no properties', { type: 'object', additionalProperties: { type: 'number' } }, '{ [key: string]: number; }'],
    ['empty closed object', { type: 'object', properties: {}, additionalProperties: false }, 'Record<string, never>'],
    ['quoted property names', { type: 'object', properties: { 'content-type': { type: 'string' } }, additionalProperties: false }, "{ 'content-type'?: string; }"],
    ['nested object', { type: 'object', properties: { o: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'], additionalProperties: false } }, additionalProperties: false }, '{ o?: { x: number; }; }'],
    ['nullable object', { type: ['object', 'null'], properties: { x: { type: 'number' } }, additionalProperties: false }, '{ x?: number; } | null'],
    ['oneOf as a union', { oneOf: [{ type: 'string' }, { type: 'integer' }] }, 'string | number'],
    ['anyOf as a union', { anyOf: [{ type: 'string' }, { type: 'null' }] }, 'string | null'],
    ['constraint-only oneOf keeps the parent type', { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false, oneOf: [{ required: ['a'] }, { required: [] }] }, '{ a?: string; }'],
    ['allOf as an intersection', { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }, { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: false }] }, '{ a?: string; } & { b?: string; }'],
  ])('%s', (_name, schema, want) => {
    expect(render(schema)).toBe(want);
  });

  it('resolves local $ref to definitions', () => {
    const schema: JsonSchema = { type: 'object', properties: { tags: { $ref: '#/definitions/tags' } }, additionalProperties: false, definitions: { tags: { type: 'array', items: { type: 'string' } } } };
    expect(render(schema)).toBe('{ tags?: string[]; }');
  });

  it('stops at a recursive $ref with unknown', () => {
    const schema: JsonSchema = { type: 'object', properties: { child: { $ref: '#' } }, additionalProperties: false };
    expect(render(schema)).toBe('{ child?: unknown; }');
  });

  it('turns an Iglu $ref into the type generated for that schema', () => {
    const schema: JsonSchema = { type: 'object', properties: { payload: { $ref: 'http://iglucentral.com/schemas/com.acme/thing/jsonschema/1-0-0#' } }, additionalProperties: false };
    expect(render(schema, new Map([['iglu:com.acme/thing/jsonschema/1-0-0', 'Thing']]))).toBe('{ payload?: Thing; }');
  });

  it('writes descriptions and constraints as JSDoc', () => {
    const schema: JsonSchema = { type: 'object', properties: { name: { type: 'string', description: 'Display name', minLength: 1, maxLength: 64, pattern: '^[a-z]+$' } }, additionalProperties: false };
    expect(printNode(typeFromSchema(schema, { root: schema, igluTypes: new Map() }))).toContain(
      ['/**', '     * Display name', '     * @minLength 1', '     * @maxLength 64', '     * @pattern ^[a-z]+$', '     */'].join('\n'),
    );
  });
});
