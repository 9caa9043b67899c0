import type { JsonSchema } from '../../load/types.js';
import { compareArrays } from './compare-arrays.js';
import { compareCombinators, sameBranches, splitUnion } from './compare-combinators.js';
import { compareEnum, compareFinite } from './compare-enum.js';
import { compareObjects } from './compare-objects.js';
import { compareExclusivity } from './compare-one-of.js';
import { compareOthers } from './compare-others.js';
import { compareNumbers, compareStrings } from './compare-scalars.js';
import { compareTypes, keptTypes } from './compare-types.js';
import type { Comparison } from './comparison.js';
import { foldAllOf } from './intersect.js';
import { deref } from './schema-nodes.js';
import { semanticJson } from './semantic.js';

/**
 * Compares an old node with a new one, reporting every place where the new one may refuse a
 * value the old one accepted. ADDITION needs a proof: each rule reports a narrowing unless it can
 * show that the new constraint holds for everything the old node allows.
 */
export function compareNode(oldNode: JsonSchema, newNode: JsonSchema, c: Comparison): void {
  if (foreignRefChanged(oldNode, newNode, c)) return;
  const resolved = deref(oldNode, c.oldRoot);
  const b = deref(newNode, c.newRoot);
  if (sameConstraints(resolved, b) || !c.enter(resolved, b)) return;
  try {
    compareResolved(sameBranches(resolved.allOf, b.allOf) ? resolved : foldAllOf(resolved, c.oldRoot), b, c);
  } finally {
    c.leave(resolved, b);
  }
}

function compareResolved(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  if (compareFinite(a, b, c)) return;
  compareExclusivity(a, b, c);
  if (splitUnion(a, b, c)) return;
  compareCombinators(a, b, c);
  // With combinators, the rest of the new node is only part of it: what it lacks has not loosened.
  const rest = b.allOf || b.anyOf || b.oneOf ? c.at('', undefined, { quiet: true }) : c;
  compareTypes(a, b, rest);
  compareEnum(a, b, rest);
  const kept = keptTypes(a, b);
  if (kept.has('number') || kept.has('integer')) compareNumbers(a, b, rest);
  if (kept.has('string')) compareStrings(a, b, rest);
  if (kept.has('array')) compareArrays(a, b, rest);
  if (kept.has('object')) compareObjects(a, b, rest);
  compareOthers(a, b, rest);
}

/** Equal constraints mean equal data, unless a `$ref` inside points at a definition that changed. */
function sameConstraints(a: JsonSchema, b: JsonSchema): boolean {
  const text = semanticJson(a);
  return text === semanticJson(b) && !text.includes('"$ref"');
}

/** An Iglu `$ref` (another schema): the same target is the same data; another target is undecided here. */
function foreignRefChanged(a: JsonSchema, b: JsonSchema, c: Comparison): boolean {
  const foreign = (s: JsonSchema): string | undefined => (typeof s.$ref === 'string' && !s.$ref.startsWith('#') ? s.$ref : undefined);
  const from = foreign(a);
  const to = foreign(b);
  if (from === undefined && to === undefined) return false;
  if (from !== to) c.undecided('/$ref', `$ref target changed from ${from ?? 'an inline schema'} to ${to ?? 'an inline schema'}: the schemas it names are not compared here`, a, b);
  return true;
}
