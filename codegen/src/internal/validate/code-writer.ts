import { pointerToken, type SchemaContext } from '../emit/schema-context.js';

/** Writes validator code for one schema: a body of plain checks over `data`, no eval. */
export class CodeWriter {
  readonly lines: string[] = [];
  private counter = 0;
  constructor(readonly ctx: SchemaContext) {}
  fresh(prefix: string): string {
    return `${prefix}${++this.counter}`;
  }
  line(text: string): void {
    this.lines.push(text);
  }
}

/** A JSON string literal: every text from a schema enters generated code through here. */
export const q = (value: unknown): string => JSON.stringify(value);

/** A JSON pointer being built: static text and runtime expressions (array indexes, additional keys). */
export type Path = readonly (string | { code: string })[];

/** The path as a string expression, adjacent static parts merged: `'/items/' + i3 + '/sku'`. */
export function pathCode(path: Path): string {
  const parts: string[] = [];
  let text = '';
  for (const part of path) {
    if (typeof part === 'string') text += part;
    else {
      if (text !== '') parts.push(q(text));
      parts.push(part.code);
      text = '';
    }
  }
  if (text !== '' || parts.length === 0) parts.push(q(text));
  return parts.join(' + ');
}

/** The path of a property. */
export const sub = (path: Path, key: string): Path => [...path, `/${pointerToken(key)}`];

