import type { JsonSchema } from '../../load/types.js';
import { compareBound } from './compare-bounds.js';
import { compareNode } from './compare-node.js';
import type { Comparison } from './comparison.js';
import { sampleOf } from './sample.js';
import { isSchema, itemSchema } from './schema-nodes.js';

/**
 * Array keywords. Items are compared position by position, for tuple `items` as for one `items`
 * schema: position i of old data meets the old tuple's schema at i (or its additionalItems), and
 * must meet the new one's.
 */
export function compareArrays(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  compareBound(a, b, 'minItems', c);
  compareBound(a, b, 'maxItems', c);
  if (b.uniqueItems === true && a.uniqueItems !== true && (a.maxItems ?? Infinity) > 1) {
    c.narrowed('REVISION', '/uniqueItems', 'uniqueItems added: historical arrays may repeat an item', a, b, () => {
      const item = itemSchema(a, 0);
      const one = item === false ? null : sampleOf(item, c.oldRoot);
      return [[one, one]];
    });
  } else if (a.uniqueItems === true && b.uniqueItems !== true) {
    c.loosened('', 'uniqueItems removed');
  }
  const tupleA = Array.isArray(a.items) ? a.items.length : 0;
  const tupleB = Array.isArray(b.items) ? b.items.length : 0;
  // Positions 0..n-1 cover both tuples; position n stands for every later one.
  const positions = Math.max(tupleA, tupleB) + 1;
  for (let i = 0; i < positions; i++) {
    if (i >= (a.maxItems ?? Infinity)) break;
    const old = itemSchema(a, i);
    const now = itemSchema(b, i);
    if (old === false) break; // old data has no item here
    const pointer = Array.isArray(b.items) ? (i < tupleB ? `/items/${i}` : '/additionalItems') : isSchema(b.items) ? '/items' : '';
    const step = { kind: 'item' as const, index: i, schema: old };
    if (now === false) {
      c.narrowed('REVISION', '/additionalItems', `additionalItems set to false: historical arrays with more than ${i} items are now invalid`, a, b, () => [
        Array.from({ length: i + 1 }, (_, k) => {
          const item = itemSchema(a, k);
          return item === false ? null : sampleOf(item, c.oldRoot);
        }),
      ]);
      break;
    }
    compareNode(old, now, c.at(pointer, step));
  }
}
