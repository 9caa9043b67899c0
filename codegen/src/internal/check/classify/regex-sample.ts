import { type Node, parse } from './regex-parse.js';

/**
 * Reads the common shapes of `pattern` in schemas: literals, escapes (`\d`, `\w`, `\s`, `\.`),
 * classes (`[a-z0-9_]`, `[^,]`), groups with alternatives, quantifiers (`?`, `*`, `+`, `{n,m}`)
 * and anchors. Lookarounds and backreferences are not read: both functions then answer undefined.
 */

/**
 * A string that matches the pattern: each repetition takes its smallest count, or `extra` more.
 * The caller checks the result with the real engine anyway.
 */
export function sampleMatching(pattern: string, extra = 0): string | undefined {
  const tree = parse(pattern);
  return tree && sample(tree, extra);
}

/**
 * The longest string the pattern can match when every alternative is anchored at both ends
 * (`^...$`), so no longer string can pass; undefined when unbounded or not read.
 */
export function longestMatch(pattern: string): number | undefined {
  const tree = parse(pattern);
  if (!tree) return undefined;
  const options = tree.kind === 'alt' ? tree.options : [tree];
  if (!options.every(anchoredBothEnds)) return undefined;
  const most = longest(tree);
  return Number.isFinite(most) ? most : undefined;
}

function sample(node: Node, extra: number): string {
  switch (node.kind) {
    case 'text': return node.text;
    case 'anchor': return '';
    case 'seq': return node.items.map((n) => sample(n, extra)).join('');
    case 'alt': return sample(node.options[0]!, extra);
    case 'repeat': return sample(node.node, extra).repeat(Math.min(node.min + extra, node.max));
  }
}

function longest(node: Node): number {
  switch (node.kind) {
    case 'text': return node.text.length;
    case 'anchor': return 0;
    case 'seq': return node.items.reduce((sum, n) => sum + longest(n), 0);
    case 'alt': return Math.max(...node.options.map(longest));
    case 'repeat': return node.max === 0 ? 0 : longest(node.node) * node.max;
  }
}

function anchoredBothEnds(node: Node): boolean {
  if (node.kind !== 'seq') return false;
  const first = node.items[0];
  const last = node.items[node.items.length - 1];
  return first?.kind === 'anchor' && first.at === 'start' && last?.kind === 'anchor' && last.at === 'end';
}
