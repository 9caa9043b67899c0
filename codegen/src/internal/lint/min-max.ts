import type { Report } from './rules.js';
import type { SubschemaPlace } from './subschemas.js';

/** Lower and upper bound keywords that exclude every value when the lower one is above the upper one. */
const PAIRS = [
  ['minimum', 'maximum', 'value'],
  ['minLength', 'maxLength', 'length'],
  ['minItems', 'maxItems', 'item count'],
  ['minProperties', 'maxProperties', 'property count'],
] as const;

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * `min-max`: bounds that no value can meet. The collector loads such a schema and then rejects
 * every event that carries the field, so it is an error, reported at the upper bound.
 */
export function checkMinMax(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  for (const [low, high, what] of PAIRS) {
    const min = node[low];
    const max = node[high];
    if (!finite(min) || !finite(max)) continue;
    if (min > max) report('min-max', `${place.pointer}/${high}`, `${low} ${min} is above ${high} ${max}: no ${what} is valid`);
    else if (min === max && low === 'minimum' && (node['exclusiveMinimum'] === true || node['exclusiveMaximum'] === true)) {
      report('min-max', `${place.pointer}/${high}`, `minimum and maximum are both ${min} and one is exclusive: no value is valid`);
    }
  }
}
