import { describe, expect, it } from 'vitest';
import type { ColumnType } from './column-type.js';
import fc from 'fast-check';
import { canonicalDateTime, stageValue } from './stage-value.js';

describe('stageValue', () => {
  it.each<[ColumnType, unknown, string | null]>([
    ['VARCHAR', 'a', 'a'],
    ['VARCHAR', null, null],
    ['VARCHAR', undefined, null],
    ['BIGINT', 42, '42'],
    ['BIGINT', 2 ** 60, '1152921504606846976'],
    ['DOUBLE', 1.5, '1.5'],
    ['DOUBLE', 1e21, '1e+21'],
    ['BOOLEAN', false, 'false'],
    ['TIMESTAMPTZ', '2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.678Z'],
    ['TIMESTAMPTZ', '2026-01-02T03:04:05+02:00', '2026-01-02T03:04:05+02:00'],
    // Spellings the collector's date-time accepts, in the one both casts take.
    ['TIMESTAMPTZ', '2026-01-02t03:04:05.5z', '2026-01-02T03:04:05.5Z'],
    ['TIMESTAMPTZ', '2026-01-02 03:04:05-0130', '2026-01-02T03:04:05-01:30'],
    ['TIMESTAMPTZ', '2026-01-02T03:04:05+02', '2026-01-02T03:04:05+02:00'],
    ['DATE', '2024-02-29', '2024-02-29'],
    ['DATE', '2000-02-29', '2000-02-29'],
    ['DATE', '2026-12-31', '2026-12-31'],
    ['JSON', { a: [1] }, '{"a":[1]}'],
    ['VARCHAR[]', ['a', null], '["a",null]'],
    ['BIGINT[]', [1, 2], '[1,2]'],
  ])('%s %j -> %j', (type, value, want) => {
    expect(stageValue(type, value)).toEqual({ ok: true, text: want });
  });

  it.each<[ColumnType, unknown, string]>([
    ['VARCHAR', 5, '5 is not a VARCHAR'],
    ['BIGINT', 1.5, '1.5 is not a BIGINT'],
    ['BIGINT', 1e21, '1e+21 is not a BIGINT'],
    ['BIGINT', '5', '"5" is not a BIGINT'],
    ['DOUBLE', 'x', '"x" is not a DOUBLE'],
    ['BOOLEAN', 1, '1 is not a BOOLEAN'],
    ['TIMESTAMPTZ', '2026-12-31T23:59:60Z', '"2026-12-31T23:59:60Z" is not a TIMESTAMPTZ'],
    ['TIMESTAMPTZ', '2026-02-30T00:00:00Z', '"2026-02-30T00:00:00Z" is not a TIMESTAMPTZ'],
    ['TIMESTAMPTZ', 'yesterday', '"yesterday" is not a TIMESTAMPTZ'],
    ['DATE', '2023-02-29', '"2023-02-29" is not a DATE'],
    ['DATE', '1900-02-29', '"1900-02-29" is not a DATE'],
    ['DATE', '2026-04-31', '"2026-04-31" is not a DATE'],
    ['DATE', '0000-01-01', '"0000-01-01" is not a DATE'],
    ['DATE', '2026-13-01', '"2026-13-01" is not a DATE'],
    ['VARCHAR[]', 'a', '"a" is not a VARCHAR[]'],
    ['BIGINT[]', [1, 'b'], 'item 1: "b" is not a BIGINT'],
    ['VARCHAR', { a: 1 }, 'an object is not a VARCHAR'],
  ])('%s %j does not fit', (type, value, problem) => expect(stageValue(type, value)).toEqual({ ok: false, problem }));

  it('an x-pii column (lenient) keeps a scalar that arrived untransformed as its JSON text', () => {
    expect(stageValue('VARCHAR', 42, true)).toEqual({ ok: true, text: '42' });
    expect(stageValue('VARCHAR', { a: 1 }, true).ok).toBe(false);
  });
});

describe('canonicalDateTime', () => {
  it("answers toISOString's spelling (its quick path) as the general path answers the same time with a lower-case t", () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const time = fc
      .tuple(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), two(19), two(39), two(29), two(69), two(69), fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0')))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(time, (text) => {
        expect(canonicalDateTime(text)).toBe(canonicalDateTime(text.replace('T', 't')));
      }),
      { numRuns: 20_000 },
    );
    expect(canonicalDateTime('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(canonicalDateTime('2023-02-29T00:00:00.000Z')).toBeUndefined();
  });
});
