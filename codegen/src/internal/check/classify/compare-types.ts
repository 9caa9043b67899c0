import type { JsonSchema } from '../../load/types.js';
import type { Comparison } from './comparison.js';
import { sampleOf } from './sample.js';
import { admits, ALL_TYPES, typeList } from './schema-nodes.js';

/** The types of old data the new node still takes by type: the constraints of these are compared. */
export function keptTypes(a: JsonSchema, b: JsonSchema): Set<string> {
  const from = typeList(a) ?? ALL_TYPES;
  const to = typeList(b);
  const kept = new Set(from.filter((t) => admits(to, t)));
  if (from.includes('number') && to?.includes('integer')) kept.add('integer');
  return kept;
}

/** Types: a type dropped is a REVISION, every type but null dropped a MODEL (Snowplow: "change a type"). */
export function compareTypes(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const from = typeList(a);
  const to = typeList(b);
  const show = (types: readonly string[] | undefined): string => (types ? types.join('|') : 'any');
  if (!to) {
    if (from) c.loosened('/type', 'type constraint removed');
    return;
  }
  const hints = (types: readonly string[]): (() => unknown[]) => () => types.flatMap((t) => [sampleOf(a, c.oldRoot, t), ...(t === 'number' ? [0.5] : [])]);
  if (!from) {
    const lost = ALL_TYPES.filter((t) => !admits(to, t));
    c.narrowed('REVISION', '/type', `type ${show(to)} added where any type was allowed`, a, b, hints(lost));
    return;
  }
  const toInteger = from.includes('number') && !to.includes('number') && to.includes('integer');
  const lost = from.filter((t) => !admits(to, t) && !(t === 'number' && toInteger));
  const kept = from.filter((t) => admits(to, t) || (t === 'number' && toInteger));
  if (toInteger) c.narrowed('REVISION', '/type', `type narrowed from number to integer (no longer 0.5)`, a, b, () => [0.5, 1.5]);
  if (lost.length === 0) {
    if (!toInteger && to.some((t) => !admits(from, t))) c.loosened('/type', `type widened from ${show(from)} to ${show(to)}`);
  } else if (kept.every((t) => t === 'null')) {
    c.narrowed('MODEL', '/type', `type changed from ${show(from)} to ${show(to)}`, a, b, hints(lost));
  } else {
    c.narrowed('REVISION', '/type', `type narrowed from ${show(from)} to ${show(to)} (no longer ${lost.join(', ')})`, a, b, hints(lost));
  }
}
