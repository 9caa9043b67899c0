import { describe, expect, it } from 'vitest';
import { lineOfPointer } from './pointer-lines.js';

const schema = `{
  "self": { "vendor": "com.acme", "name": "signup", "format": "jsonschema", "version": "1-0-0" },
  "type": "object",
  "properties": {
    "plan": {
      "type": ["string", "null"],
      "maxLenght": 20
    },
    "a/b": { "enum": [1, 2,
      3] }
  }
}`;

describe('lineOfPointer: where an annotation lands', () => {
  it.each<[string, number]>([
    ['', 1],
    ['/self/version', 2],
    ['/properties/plan', 5],
    ['/properties/plan/type/1', 6],
    ['/properties/plan/maxLenght', 7],
    ['/properties/plan/maxLength', 5], // missing: its property
    ['/properties/a~1b/enum/2', 10],
    ['/nope/deeper', 1],
  ])('%j is on line %i', (pointer, want) => {
    expect(lineOfPointer(schema, pointer)).toBe(want);
  });

  it('gives line 1 for text that is not JSON', () => {
    expect(lineOfPointer('{ "a": \n nope', '/a')).toBe(1);
  });
});
