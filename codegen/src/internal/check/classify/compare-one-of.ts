import type { JsonSchema } from '../../load/types.js';
import { sameBranches } from './compare-combinators.js';
import type { Comparison } from './comparison.js';
import { provablyDisjoint } from './disjoint.js';
import { loosestBoth } from './intersect.js';
import { sampleOf } from './sample.js';
import { deref, without } from './schema-nodes.js';
import { semanticJson } from './semantic.js';

/** Old nodes that are one alternative of a split union, with the new node whose overlaps their union was checked against. */
const alternatives = new WeakMap<JsonSchema, JsonSchema>();

/** Records that `alternative` is one branch of an old union split against the new node `b`. */
export function markAlternative(alternative: JsonSchema, b: JsonSchema): void {
  alternatives.set(alternative, b);
}

/**
 * A new `oneOf` also refuses data that matches two of its branches. Pairs that were already
 * branches of the old `oneOf` refused such data before; other pairs must be proven disjoint.
 */
export function compareExclusivity(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const branches = b.oneOf;
  if (!branches || alternatives.get(a) === b || sameBranches(a.oneOf, branches)) return;
  const before = new Map((a.oneOf ?? []).map((s, index) => [semanticJson(deref(s, c.oldRoot)), index]));
  const rest = without(b, 'oneOf');
  const within = branches.map((s) => loosestBoth(rest, deref(s, c.newRoot)));
  for (let j = 1; j < branches.length; j++) {
    for (let i = 0; i < j; i++) {
      const [x, y] = [i, j].map((k) => before.get(semanticJson(deref(branches[k]!, c.newRoot))));
      const wasPair = x !== undefined && y !== undefined && x !== y;
      if (wasPair || provablyDisjoint(within[i]!, within[j]!, c.newRoot)) continue;
      const hints = (): unknown[] => {
        const first = sampleOf(loosestBoth(a, within[i]!), c.oldRoot, 'object');
        const second = sampleOf(loosestBoth(a, within[j]!), c.oldRoot, 'object');
        return [{ ...(first as object), ...(second as object) }, { ...(second as object), ...(first as object) }, first, second];
      };
      c.narrowed('REVISION', `/oneOf/${j}`, `oneOf branches ${i} and ${j} may both match: old data matching both is now invalid`, a, b, hints);
    }
  }
}
