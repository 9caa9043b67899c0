import { describe, expect, it } from 'vitest';
import { ErrorList, FULL_REPORT_MAX_KEYS, MAX_ERROR_CHARS } from './error-list.js';
import type { CompiledSchema } from './schema-registry.js';

/** A schema that `data` breaks `count` times, with one error per break. */
const breaking = (count: number): CompiledSchema => ({
  uri: 'iglu:test/breaking/jsonschema/1-0-0',
  validate: () => Array.from({ length: count }, (_, i) => `/${i}: bad`),
  violations: (_data, _prefix, maxErrors) => ({ errors: Array.from({ length: Math.min(count, maxErrors) }, (_, i) => `/${i}: bad`), count }),
  firstViolation: () => (count > 0 ? '/0: bad (first)' : undefined),
});

describe('ErrorList', () => {
  it('lists every error while there are at most max', () => {
    const errors = new ErrorList(3);
    errors.add(breaking(2), {}, '');
    errors.push(() => '/x: unknown');
    expect(errors.list()).toEqual(['/0: bad', '/1: bad', '/x: unknown']);
    expect(errors.count).toBe(3);
  });

  it('lists the first max across schemas, then one line counting the rest', () => {
    const errors = new ErrorList(10);
    errors.add(breaking(4), {}, '');
    errors.add(breaking(400_000), {}, '');
    expect(errors.count).toBe(400_004);
    expect(errors.list()).toEqual(['/0: bad', '/1: bad', '/2: bad', '/3: bad', '/0: bad', '/1: bad', '/2: bad', '/3: bad', '/4: bad', '/5: bad', '… and 399,994 more errors']);
  });

  it(`in an event of more than ${FULL_REPORT_MAX_KEYS} keys, looks for the first error of each schema only, and says so`, () => {
    const errors = new ErrorList(10, 400_003);
    errors.add(breaking(400_000), {}, '');
    errors.add(breaking(0), {}, '');
    errors.add(breaking(3), {}, '');
    expect(errors.list()).toEqual(['/0: bad (first)', '/0: bad (first)', '… further errors not looked for: the event has 400,003 keys (more than 10,000)']);
    const valid = new ErrorList(10, 400_003);
    valid.add(breaking(0), {}, '');
    expect([valid.count, valid.list()]).toEqual([0, []]);
  });

  it('formats an error beyond max only to count it', () => {
    const errors = new ErrorList(1);
    errors.push(() => '/a: shown');
    errors.push(() => {
      throw new Error('not formatted');
    });
    expect(errors.list()).toEqual(['/a: shown', '… and 1 more error']);
  });

  it(`cuts an error at ${MAX_ERROR_CHARS} characters, never between the halves of a surrogate pair`, () => {
    const errors = new ErrorList(2);
    errors.push(() => `/k: ${'x'.repeat(10_000)}`);
    errors.push(() => `${'y'.repeat(MAX_ERROR_CHARS - 2)}😀 and more`);
    const [long, emoji] = errors.list();
    expect(long).toHaveLength(MAX_ERROR_CHARS);
    expect(long!.endsWith('…')).toBe(true);
    expect(emoji).toBe(`${'y'.repeat(MAX_ERROR_CHARS - 2)}…`);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
