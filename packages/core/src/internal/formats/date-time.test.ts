import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDateTime } from './date-time.js';

// The check it replaces: ajv-formats' full `date-time` (CommonJS: the export is on `default`).
const ajvDateTime = addFormatsModule.default.get('date-time') as { validate: (value: string) => boolean };

describe('isDateTime: RFC 3339 date-time', () => {
  it.each([
    '2026-11-26T00:53:21.123Z',
    '2026-11-26T00:53:21Z',
    '2026-11-26t00:53:21z',
    '2026-11-26 00:53:21Z',
    '2026-11-26T00:53:21.123456789Z',
    '2026-11-26T00:53:21+01:00',
    '2026-11-26T00:53:21.1-05:30',
    '2026-11-26T00:53:21+0100',
    '2026-11-26T00:53:21+01',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '0000-02-29T00:00:00Z',
    '2026-12-31T23:59:60Z',
    '2026-12-31T00:59:60+01:00',
    '2026-12-31T22:59:60-01:00',
    '2026-12-31T00:00:60+00:01',
  ])('accepts %j', (value) => {
    expect(isDateTime(value)).toBe(true);
  });

  it.each([
    ['no zone', '2026-11-26T00:53:21'],
    ['no seconds', '2026-11-26T00:53Z'],
    ['an empty fraction', '2026-11-26T00:53:21.Z'],
    ['a one-digit offset hour', '2026-11-26T00:53:21+1:00'],
    ['a one-digit offset minute', '2026-11-26T00:53:21+01:0'],
    ['an offset hour of 24', '2026-11-26T00:00:00+24:00'],
    ['an offset minute of 60', '2026-11-26T00:00:00+23:60'],
    ['two separators', '2026-11-26TT00:00:00Z'],
    ['no separator', '2026-11-2600:00:00Z'],
    ['trailing space', '2026-11-26T00:53:21Z '],
    ['a non-ASCII digit', '２026-11-26T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['month 0', '2026-00-01T00:00:00Z'],
    ['day 0', '2026-01-00T00:00:00Z'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['29 February of a common year', '2023-02-29T00:00:00Z'],
    ['29 February 1900', '1900-02-29T00:00:00Z'],
    ['hour 24', '2026-11-26T24:00:00Z'],
    ['minute 60', '2026-11-26T00:60:00Z'],
    ['second 61', '2026-12-31T23:59:61Z'],
    ['a leap second that is not 23:59 UTC', '2026-12-31T23:59:60+01:00'],
    ['hour 24 even when the offset brings it to 23:59 UTC (ajv-formats lets this through)', '2026-11-26T24:59:30+01:00'],
    ['a date alone', '2026-11-26'],
    ['the empty string', ''],
  ])('rejects %s: %j', (_, value) => {
    expect(isDateTime(value)).toBe(false);
  });

  it('agrees with ajv-formats on generated near-miss strings, but for hours and minutes out of range', () => {
    const digit = fc.constantFrom(...'0123456789');
    const twoDigits = fc.oneof(fc.constantFrom('00', '01', '02', '12', '13', '23', '24', '28', '29', '30', '31', '32', '59', '60', '61'), fc.tuple(digit, digit).map((d) => d.join('')));
    const year = fc.oneof(fc.constantFrom('2024', '2023', '2000', '1900', '0000'), fc.tuple(digit, digit, digit, digit).map((d) => d.join('')));
    const zone = fc.oneof(
      fc.constantFrom('Z', 'z', '', 'x'),
      fc.tuple(fc.constantFrom('+', '-'), twoDigits, fc.constantFrom('', ':', '::'), fc.constantFrom('', '00', '30', '59', '60', '5')).map((z) => z.join('')),
    );
    const dateTime = fc
      .tuple(year, fc.constant('-'), twoDigits, fc.constant('-'), twoDigits, fc.constantFrom('T', 't', ' ', '\t', '\u00a0', '\u3000', '\u200b', 'x', 'TT'), twoDigits, fc.constant(':'), twoDigits, fc.constant(':'), twoDigits, fc.constantFrom('', '.', '.1', '.123', '.x'), zone)
      .map((parts) => parts.join(''));
    const outOfRange = (value: string): boolean => /^.{11}(2[4-9]|[3-9]\d|\d\d:[6-9]\d)/.test(value);
    fc.assert(
      fc.property(fc.oneof(dateTime, fc.string()), (value) => {
        if (!outOfRange(value)) expect(isDateTime(value), value).toBe(ajvDateTime.validate(value));
      }),
      { numRuns: 20_000 },
    );
  });
});
