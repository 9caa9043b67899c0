import type { JsonSchema } from '../../load/types.js';
import { compareBound } from './compare-bounds.js';
import type { Comparison } from './comparison.js';
import { longestMatch } from './regex-sample.js';
import { typeList } from './schema-nodes.js';

export function compareNumbers(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  compareBound(a, b, 'minimum', c);
  compareBound(a, b, 'maximum', c);
  const x = a.multipleOf;
  const y = b.multipleOf;
  if (y === undefined) {
    if (x !== undefined) c.loosened('', 'multipleOf removed');
    return;
  }
  const integersOnly = typeList(a)?.every((t) => t === 'integer' || t === 'null') === true;
  const divides = (x !== undefined && Number.isInteger(x / y)) || (y === 1 && integersOnly);
  if (!divides) c.narrowed('REVISION', '/multipleOf', `multipleOf ${x === undefined ? `added (${y})` : `changed from ${x} to ${y}`}`, a, b);
  else if (x !== y) c.loosened('/multipleOf', `multipleOf ${x === undefined ? 'implied' : `relaxed from ${x} to ${y}`}`);
}

/**
 * Lengths are bounds; a new or changed `pattern` or `format` is a narrowing claim: one regular
 * expression containing another is not decided here, so without a witness it stays undecided.
 */
export function compareStrings(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  compareBound(a, b, 'minLength', c);
  // A pattern anchored at both ends may bound the length already (`^[0-9a-f]{16}$`: at most 16).
  const byPattern = typeof a.pattern === 'string' ? longestMatch(a.pattern) : undefined;
  compareBound(a, b, 'maxLength', c, byPattern !== undefined && byPattern < (a.maxLength ?? Infinity) ? byPattern : undefined);
  for (const key of ['pattern', 'format'] as const) {
    if (b[key] === undefined) {
      if (a[key] !== undefined) c.loosened('', `${key} removed`);
    } else if (a[key] !== b[key]) {
      c.narrowed('REVISION', `/${key}`, `${key} ${a[key] === undefined ? `added (${b[key]})` : `changed from ${a[key]} to ${b[key]}`}`, a, b);
    }
  }
}
