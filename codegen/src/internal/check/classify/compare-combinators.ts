import type { JsonSchema } from '../../load/types.js';
import { compareNode } from './compare-node.js';
import { Comparison } from './comparison.js';
import { provablyDisjoint } from './disjoint.js';
import { loosestBoth } from './intersect.js';
import { probesAt } from './probes.js';
import { sampleOf } from './sample.js';
import { deref, without } from './schema-nodes.js';
import { semanticJson } from './semantic.js';

type Union = 'anyOf' | 'oneOf';
const UNIONS: readonly Union[] = ['anyOf', 'oneOf'];

/** Old nodes that are one alternative of a split union, with the new node whose overlaps their union was checked against. */
const alternatives = new WeakMap<JsonSchema, JsonSchema>();

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
      alternatives.set(alternative, b);
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

function compareNot(a: JsonSchema, b: JsonSchema, c: Comparison): void {
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
