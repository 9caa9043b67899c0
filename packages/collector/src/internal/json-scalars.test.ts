import { describe, expect, it } from 'vitest';
import { mayHoldUnrepresentable, unrepresentableValues, wellFormed, wellFormedLine } from './json-scalars.js';

describe('mayHoldUnrepresentable (the prescan of a body)', () => {
  it.each(['{"n":1e400}', '{"n":-1E+999}', '{"n":1.5e308}', `{"n":${'9'.repeat(309)}}`, '{"s":"\\ud800"}', '{"s":"\\uDFFF"}', '{"s":"\\ud83d\\ude00"}'])('flags %s', (text) => {
    expect(mayHoldUnrepresentable(text)).toBe(true);
  });

  it.each(['{"n":1e30,"id":"0190f3e1-7c2a-7000-8000-00000000e123"}', '{"s":"\\u00e9 ☃ 😀"}', `{"n":${'9'.repeat(308)}}`])('lets %s skip the walk', (text) => {
    expect(mayHoldUnrepresentable(text)).toBe(false);
  });
});

describe('unrepresentableValues', () => {
  it('names each number that overflowed and each lone surrogate, by JSON pointer', () => {
    const event = JSON.parse('{"event":{"data":{"amount":1e400,"neg":-1e999,"label":"ab\\ud800c","list":[1,"\\udc00"],"a/b~\\ud800":1}}}') as unknown;
    expect(unrepresentableValues(event)).toEqual([
      // A key is reported when its object is visited, before the values.
      '/event/data/a~1b~0\ufffd: key holds a lone surrogate (\\ud800 at index 4), not Unicode text',
      '/event/data/amount: number too large for JSON (overflows to Infinity)',
      '/event/data/neg: number too large for JSON (overflows to -Infinity)',
      '/event/data/label: string holds a lone surrogate (\\ud800 at index 2), not Unicode text',
      '/event/data/list/1: string holds a lone surrogate (\\udc00 at index 0), not Unicode text',
    ]);
  });

  it('passes paired surrogates, big finite numbers and underflow (0 is a number JSON carries)', () => {
    expect(unrepresentableValues(JSON.parse('{"e":"\\ud83d\\ude00","n":1.7e308,"u":1e-400}'))).toEqual([]);
  });

  it('lists the first 10, then a count', () => {
    const errors = unrepresentableValues(JSON.parse(`[${Array(25).fill('1e400').join(',')}]`));
    expect(errors).toHaveLength(11);
    expect(errors[10]).toBe('… and 15 more values JSON cannot carry');
  });

  it('walks deep nesting without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(50_000)}1e400${']'.repeat(50_000)}`) as unknown;
    expect(unrepresentableValues(deep)[0]).toMatch(/^(\/0){50000}: number too large/);
  });
});

describe('wellFormed and wellFormedLine', () => {
  it('replaces lone surrogates with U+FFFD, keeps pairs', () => {
    expect(wellFormed('a\ud800b\udc00\ud83d\ude00')).toBe('a\ufffdb\ufffd\ud83d\ude00');
    expect(wellFormed('plain')).toBe('plain');
  });

  it('rewrites the escapes JSON.stringify writes for lone surrogates, not text that looks like one', () => {
    const line = JSON.stringify({ lone: 'x\ud800\udc00\udc00', key: { '\udbff': 1 }, text: '\\ud800', both: '\\\ud800' });
    const fixed = wellFormedLine(line);
    expect(fixed).not.toMatch(/(?<!\\)(\\\\)*\\ud[89a-f]/);
    expect(JSON.parse(fixed)).toEqual({ lone: 'x\ud800\udc00\ufffd', key: { '\ufffd': 1 }, text: '\\ud800', both: '\\\ufffd' });
  });
});
