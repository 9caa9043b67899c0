import type { JsonSchema } from '../../load/types.js';
import { compareNode } from './compare-node.js';
import { compareNot } from './compare-not.js';
import { Comparison } from './comparison.js';
import { loosestBoth } from './intersect.js';
import { deref, without } from './schema-nodes.js';
import { semanticJson } from './semantic.js';
import { markAlternative } from './compare-one-of.js';

type Union = 'anyOf' | 'oneOf';

const UNIONS: readonly Union[] = ['anyOf', 'oneOf'];

/** The same list of branches, and no `$ref` inside that could point at a changed definition. */
export function sameBranches(x: JsonSchema[] | undefined, y: JsonSchema[] | undefined): boolean {
  if (!x || !y) return false;
  const text = semanticJson(x);
  return text === semanticJson(y) && !text.includes('"$ref"');
}

/**
 * An old `anyOf` / `oneOf` is the union of its branches: it fits the new node when each branch
 * (with the rest of the old node) does. Returns true when the old node was split and compared.
 */
export function splitUnion(a: JsonSchema, b: JsonSchema, c: Comparison): boolean {
  for (const keyword of UNIONS) {
    const branches = a[keyword];
    if (!branches || sameBranches(branches, b[keyword])) continue;
    const rest = without(a, keyword);
    branches.forEach((branch, index) => {
      const alternative = loosestBoth(rest, deref(branch, c.oldRoot));
      markAlternative(alternative, b);
      // The other branches' data may still pass: one branch losing all of it is not a MODEL.
      compareNode(alternative, b, c.at('', { kind: 'branch', keyword, index }, { capAtRevision: c.capAtRevision || branches.length > 1 }));
    });
    return true;
  }
  return false;
}

/**
 * New combinators. `allOf`: the old node must fit each branch. `anyOf` / `oneOf`: it must fit
 * one branch (else the closest branch's narrowings are reported, at most REVISION: data failing
 * one branch may pass another). `not`: the old node must be disjoint from it.
 */
export function compareCombinators(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  if (b.allOf && !sameBranches(a.allOf, b.allOf)) {
    b.allOf.forEach((branch, i) => compareNode(a, branch, c.at(`/allOf/${i}`, undefined, { quiet: true })));
  } else if (a.allOf && !b.allOf) {
    c.loosened('', 'allOf removed');
  }
  for (const keyword of UNIONS) {
    const branches = b[keyword];
    if (!branches) {
      if (a[keyword]) c.loosened('', `${keyword} removed`);
      continue;
    }
    if (sameBranches(a[keyword], branches)) continue;
    const trials = branches.map((branch, i) => {
      const t = c.at(`/${keyword}/${i}`, undefined, { capAtRevision: true }).trial();
      compareNode(a, branch, t);
      return t.out;
    });
    const fit = trials.find((t) => Comparison.clean(t));
    if (fit) {
      c.out.push(...fit);
      continue;
    }
    const breaking = (t: typeof trials[number]): number => t.filter((f) => f.kind !== 'ADDITION' || f.undecided).length;
    const closest = trials.reduce((best, t, i) => (breaking(t) < breaking(trials[best]!) ? i : best), 0);
    for (const f of trials[closest]!) if (f.kind !== 'ADDITION' || f.undecided) c.out.push({ ...f, message: `no ${keyword} branch takes all the old data here (closest: branch ${closest}): ${f.message}` });
  }
  compareNot(a, b, c);
}
