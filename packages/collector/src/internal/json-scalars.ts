/**
 * Values that `JSON.parse` accepts but that no strict reader gets back: a number too large for a
 * double (`1e400` becomes Infinity, which JSON.stringify writes as `null`) and a string or key with
 * a lone surrogate (escaped as `\ud800`: valid JSON text, yet not Unicode, so Go, Rust's serde_json
 * and others refuse or alter the line). The collector rejects such an event alone, naming the field.
 */

/** Errors listed per event; past it, one line says how many more there were. */
const MAX_ERRORS = 10;

/**
 * Whether `text` (a body) may hold such values: an escaped surrogate, a number with an exponent of
 * three digits or more, or one of 309 digits (the first integer a double cannot hold). A cheap test over the
 * text, so most bodies skip the walk over every value of every event; a false positive only costs
 * that walk.
 */
export function mayHoldUnrepresentable(text: string): boolean {
  // A number starts after `:`, `,` or `[`: an id's hex such as `0e123` is no exponent.
  return /\\u[dD][89a-fA-F]|[:,[]\s*-?(?:\d+(?:\.\d+)?[eE][+-]?\d{3}|\d{309})/.test(text);
}

/** The JSON pointer of each value of `value` that JSON cannot carry, with the reason. */
export function unrepresentableValues(value: unknown): string[] {
  const errors: string[] = [];
  let more = 0;
  const report = (error: string): void => {
    if (errors.length < MAX_ERRORS) errors.push(error);
    else more++;
  };
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [node, pointer] = stack.pop()!;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) report(`${pointer || '/'}: number too large for JSON (overflows to ${node > 0 ? '' : '-'}Infinity)`);
    } else if (typeof node === 'string') {
      const at = loneSurrogateAt(node);
      if (at >= 0) report(`${pointer || '/'}: string holds a lone surrogate (${escaped(node, at)} at index ${at}), not Unicode text`);
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${pointer}/${i}`]);
    } else if (typeof node === 'object' && node !== null) {
      const keys = Object.keys(node);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const child = `${pointer}/${wellFormed(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const at = loneSurrogateAt(key);
        if (at >= 0) report(`${child}: key holds a lone surrogate (${escaped(key, at)} at index ${at}), not Unicode text`);
        stack.push([(node as Record<string, unknown>)[key], child]);
      }
    }
  }
  if (more > 0) errors.push(`… and ${more} more values JSON cannot carry`);
  return errors;
}

/** `text` with each lone surrogate replaced by U+FFFD (String.prototype.toWellFormed, ES2024). */
export function wellFormed(text: string): string {
  return loneSurrogateAt(text) < 0 ? text : text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/**
 * A line JSON.stringify wrote, with every lone surrogate (which it writes as the escape `\udXXX`,
 * the only `\ud` escape it ever writes) replaced by `\ufffd`: a line every strict reader takes.
 * An escape preceded by an odd number of backslashes is text (`\\ud800`), not an escape.
 */
export function wellFormedLine(line: string): string {
  return line.includes('\\ud') ? line.replace(/(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g, '$1\\ufffd') : line;
}

/** Index of the first lone surrogate of `text`, or -1. */
function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    if (code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

function escaped(text: string, at: number): string {
  return `\\u${text.charCodeAt(at).toString(16)}`;
}
