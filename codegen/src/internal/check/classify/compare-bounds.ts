import type { JsonSchema } from '../../load/types.js';
import type { Comparison } from './comparison.js';

type BoundKey = 'minimum' | 'maximum' | 'minLength' | 'maxLength' | 'minItems' | 'maxItems' | 'minProperties' | 'maxProperties';
const EXCLUSIVE: Partial<Record<BoundKey, 'exclusiveMinimum' | 'exclusiveMaximum'>> = { minimum: 'exclusiveMinimum', maximum: 'exclusiveMaximum' };

/**
 * A lower or upper bound: the new one holds for all old data when the old bound is at least as
 * tight (draft-04 `exclusiveMinimum` / `exclusiveMaximum` are booleans on their bound). `oldLimit`
 * overrides the old node's own bound where the rest of the node implies a tighter one (a closed
 * object with three properties has at most three).
 */
export function compareBound(a: JsonSchema, b: JsonSchema, key: BoundKey, c: Comparison, oldLimit?: number): void {
  const upper = key.startsWith('max');
  const x = oldLimit ?? a[key];
  const y = b[key];
  const flag = EXCLUSIVE[key];
  const exclusiveA = flag !== undefined && oldLimit === undefined && a[flag] === true;
  const exclusiveB = flag !== undefined && b[flag] === true;
  if (y === undefined) {
    if (a[key] !== undefined) c.loosened('', `${key} removed`);
    return;
  }
  const holds = x !== undefined && (upper ? x < y || (x === y && (exclusiveA || !exclusiveB)) : x > y || (x === y && (exclusiveA || !exclusiveB)));
  if (!holds) {
    const what = a[key] === undefined ? `added (${describe(y, exclusiveB)})` : `tightened from ${describe(a[key], exclusiveA)} to ${describe(y, exclusiveB)}`;
    c.narrowed('REVISION', `/${key}`, `${key} ${what}`, a, b);
  } else if (a[key] === undefined) {
    c.loosened(`/${key}`, `${key} added (${y}), implied already: the old node allowed at most ${x}`);
  } else if (a[key] !== y || exclusiveA !== exclusiveB) {
    c.loosened(`/${key}`, `${key} relaxed from ${describe(a[key], exclusiveA)} to ${describe(y, exclusiveB)}`);
  }
}

function describe(value: number, exclusive: boolean): string {
  return exclusive ? `${value}, exclusive` : String(value);
}
