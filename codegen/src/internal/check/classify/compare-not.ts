import type { JsonSchema } from '../../load/types.js';
import { sameBranches } from './compare-combinators.js';
import { compareNode } from './compare-node.js';
import { Comparison } from './comparison.js';
import { provablyDisjoint } from './disjoint.js';
import { probesAt } from './probes.js';
import { sampleOf } from './sample.js';

/**
 * `not`: ADDITION when no old value can match the new `not` (disjoint), or when the new `not`
 * refuses only what the old one did; otherwise a narrowing claim, with samples of what it refuses.
 */
export function compareNot(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const refused = b.not as JsonSchema | undefined;
  if (!refused) {
    if (a.not) c.loosened('', 'not removed');
    return;
  }
  if (a.not && sameBranches([a.not as JsonSchema], [refused])) return;
  if (provablyDisjoint(a, refused, c.newRoot)) return;
  if (a.not && refusesLess(refused, a.not as JsonSchema, c)) return void c.loosened('/not', 'not narrowed: it refuses no value the old one allowed');
  c.narrowed('REVISION', '/not', `not ${a.not ? 'changed' : 'added'}: old data may match it`, a, b, () => [sampleOf(refused, c.newRoot), ...probesAt(refused, refused, c.newRoot, c.newRoot)]);
}

/** Whether the new `not` refuses only values the old one refused too: the new node inside the old, roots swapped. */
function refusesLess(now: JsonSchema, before: JsonSchema, c: Comparison): boolean {
  const swapped = new Comparison(c.newRoot, c.oldRoot, c.judge);
  compareNode(now, before, swapped);
  return Comparison.clean(swapped.out);
}
