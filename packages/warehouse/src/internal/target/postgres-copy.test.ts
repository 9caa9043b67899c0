import { describe, expect, it } from 'vitest';
import { arrayLiteral, copyField, storableJson } from './postgres-copy.js';

describe('COPY text fields', () => {
  it.each<[string | number | null, 'text' | 'json' | 'array', string]>([
    [null, 'text', '\\N'],
    ['plain', 'text', 'plain'],
    [42, 'text', '42'],
    ['tab\there\nnew\rline \\ back', 'text', 'tab\\there\\nnew\\rline \\\\ back'],
    ['\\N', 'text', '\\\\N'],
    ['a\u0000b', 'text', 'a\uFFFDb'],
    ['{"k":"a\\u0000b","\\u0000":"\\ud800"}', 'json', '{"k":"a\uFFFDb","\uFFFD":"\uFFFD"}'],
    ['{"k":"\\n"}', 'json', '{"k":"\\\\n"}'],
    ['["a","b"]', 'array', '{"a","b"}'],
    ['["x,y","q\\"uote","back\\\\slash",null,"{}"]', 'array', '{"x,y","q\\\\"uote","back\\\\\\\\slash",NULL,"{}"}'],
    ['[1,2.5,true]', 'array', '{"1","2.5","true"}'],
    ['[]', 'array', '{}'],
  ])('%j as %s', (value, kind, want) => expect(copyField(value, kind)).toBe(want));

  it('leaves JSON without \\u escapes as it is (no re-serialization on the common path)', () => {
    const text = '{"b":1,"a":[true,null]}';
    expect(storableJson(text)).toBe(text);
  });

  it('keeps surrogate pairs and every other escape of the JSON', () => {
    expect(JSON.parse(storableJson(JSON.stringify({ emoji: '😀', bell: '\u0007' })))).toEqual({ emoji: '😀', bell: '\u0007' });
    expect(arrayLiteral(JSON.stringify(['😀']))).toBe('{"😀"}');
  });
});
