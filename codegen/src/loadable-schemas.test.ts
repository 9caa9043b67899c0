import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from './check.js';
import { generate } from './generate.js';
import { schemaDir } from './internal/testing/schema-dir.js';

const event = (property: Record<string, unknown>): Record<string, unknown> => ({ type: 'object', properties: { a: property }, additionalProperties: false });

/** Schemas the collector refuses to start on: `check` and `generate` refuse them too, with file, pointer and rule. */
describe('a schema the collector cannot load', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['a misspelled type', event({ type: 'strin' }), '/properties/a/type', 'json-schema'],
    ['a negative maxLength', event({ type: 'string', maxLength: -1 }), '/properties/a/maxLength', 'json-schema'],
    ['required as a string', { type: 'object', properties: { a: { type: 'string' } }, required: 'a' }, '/required', 'json-schema'],
    ['a pattern that does not compile', event({ type: 'string', pattern: '(' }), '/properties/a/pattern', 'pattern'],
    ['a $ref to nothing', event({ $ref: '#/definitions/missing' }), '/properties/a/$ref', 'ref'],
  ])('%s fails generate and check at its pointer', (_name, body, pointer, rule) => {
    const dir = schemaDir({ 'com.acme/broken/1-0-0': body });
    const file = join(dir, 'com.acme/broken/jsonschema/1-0-0');
    let thrown: unknown;
    try {
      generate({ schemas: [dir], validators: 'always' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'SCHEMA_INVALID', file, pointer, rule });
    const result = check({ schemas: [dir] });
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => f.error.toJSON())).toContainEqual(expect.objectContaining({ code: 'SCHEMA_INVALID', file, pointer, rule }));
  });

  it('an Iglu $ref to another schema of the set loads, whatever the order of the files', () => {
    const dir = schemaDir({
      'com.acme/a_refund/1-0-0': { type: 'object', properties: { total: { $ref: 'http://iglucentral.com/schemas/com.acme/z_money/jsonschema/1-0-0#' } } },
      'com.acme/z_money/1-0-0': { type: 'object', properties: { amount: { type: 'number' } } },
    });
    expect(generate({ schemas: [dir], validators: 'always' }).load.schemas).toHaveLength(2);
  });
});
