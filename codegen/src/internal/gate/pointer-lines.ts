import { pointerSegment } from '../lint/subschemas.js';

/**
 * The 1-based line of the JSON pointer in a JSON text: the line of its key (or of the array
 * element), else of the nearest enclosing value that exists (a finding about a missing
 * `maxLength` points at its property), else 1. Malformed text gives 1: annotations still land.
 */
export function lineOfPointer(text: string, pointer: string): number {
  let offsets: Map<string, number>;
  try {
    offsets = valueOffsets(text);
  } catch {
    return 1;
  }
  for (let at = pointer; ; at = at.slice(0, at.lastIndexOf('/'))) {
    const offset = offsets.get(at);
    if (offset !== undefined) return lineAt(text, offset);
    if (at === '') return 1;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Where every value of a JSON text starts (for an object member: where its key starts), by JSON pointer. */
function valueOffsets(text: string): Map<string, number> {
  const offsets = new Map<string, number>();
  let i = 0;
  const space = (): void => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const expect = (char: string): void => {
    if (text[i] !== char) throw new SyntaxError(`expected ${char} at ${i}`);
    i++;
  };
  const string = (): string => {
    const start = i;
    expect('"');
    while (text[i] !== '"') {
      if (i >= text.length) throw new SyntaxError('unterminated string');
      i += text[i] === '\\' ? 2 : 1;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string): void => {
    space();
    if (!offsets.has(pointer)) offsets.set(pointer, i);
    const char = text[i];
    if (char === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        const keyAt = i;
        const key = string();
        const member = `${pointer}/${pointerSegment(key)}`;
        offsets.set(member, keyAt);
        space();
        expect(':');
        value(member);
        space();
        if (text[i] === ',') i++;
        else return expect('}');
      }
    }
    if (char === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (let index = 0; ; index++) {
        value(`${pointer}/${index}`);
        space();
        if (text[i] === ',') i++;
        else return expect(']');
      }
    }
    if (char === '"') return void string();
    const literal = /^(-?\d[\d.eE+-]*|true|false|null)/.exec(text.slice(i, i + 64));
    if (!literal) throw new SyntaxError(`unexpected ${char} at ${i}`);
    i += literal[0].length;
  };
  value('');
  return offsets;
}
