import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as core from '@tracklane/core';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMATS, UNCHECKED_FORMATS } from './formats.js';

// ajv-formats' "full" definitions: what the collector checked before the formats moved to core.
type Definition = RegExp | ((value: never) => boolean) | { validate: RegExp | ((value: never) => boolean) } | true;
const ajvVerdict = (name: string, value: string | number): boolean => {
  const definition = (fullFormats as Record<string, unknown>)[name] as Definition;
  if (definition === true) return true;
  const check = definition instanceof RegExp || typeof definition === 'function' ? definition : definition.validate;
  return check instanceof RegExp ? check.test(String(value)) : (check as (v: string | number) => boolean)(value);
};
const check = (name: string): ((value: never) => boolean) => core[FORMATS[name]!.check];

/** Strings from the suite's format tests: the cases format authors thought of. */
const SUITE_FORMATS = path.join(import.meta.dirname, '../../../../test/corpora/json-schema-test-suite/tests/draft4/optional/format');
const suiteStrings = readdirSync(SUITE_FORMATS).flatMap((file) => (JSON.parse(readFileSync(path.join(SUITE_FORMATS, file), 'utf8')) as { tests: { data: unknown }[] }[]).flatMap((g) => g.tests.map((t) => t.data))).filter((d): d is string => typeof d === 'string');

describe('formats: one definition in @tracklane/core, the verdicts of ajv-formats (full)', () => {
  const stringFormats = Object.entries(FORMATS).filter(([, f]) => f.type === 'string').map(([name]) => name).filter((name) => name !== 'date-time');

  it.each(stringFormats)('%s: the same verdict on the suite\'s format strings and on random ones', (name) => {
    for (const value of suiteStrings) expect(check(name)(value as never), `${name} ${JSON.stringify(value)}`).toBe(ajvVerdict(name, value));
    const pieces = fc.constantFrom('a', 'Z', '0', '9', '-', '.', ':', '/', '@', '%', '[', ']', 'T', ' ', '+', '~', '#', '?', '=', '\\', 'é', 'P', '1', '2');
    fc.assert(fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 30 }).map((p) => p.join(''))), (value) => {
      expect(check(name)(value as never)).toBe(ajvVerdict(name, value));
    }), { numRuns: 300 });
  });

  it.each(['int32', 'int64'])('%s: the same verdict on numbers', (name) => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 31, -(2 ** 31), 2 ** 31 - 1, 2 ** 53, 1.5)), (value) => {
      expect(check(name)(value as never)).toBe(ajvVerdict(name, value));
    }));
  });

  it('covers every format ajv-formats defines', () => {
    expect([...Object.keys(FORMATS), ...UNCHECKED_FORMATS].sort()).toEqual(Object.keys(fullFormats).sort());
  });
});
