import type { Report } from './rules.js';
import { pointerSegment, type SubschemaPlace } from './subschemas.js';

/** Every keyword of JSON Schema draft-04 (core and validation), the dialect the collector compiles. */
const DRAFT_04 = [
  'id', '$schema', '$ref', 'title', 'description', 'default', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'additionalItems', 'items', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties',
  'required', 'additionalProperties', 'definitions', 'properties', 'patternProperties', 'dependencies', 'enum', 'type', 'format',
  'allOf', 'anyOf', 'oneOf', 'not',
];
/** Iglu's self-describing header and supersession keywords, and Tracklane's extensions (docs/design.md). */
const EXTENSIONS = ['self', '$supersedes', '$supersededBy', 'x-tracklane', 'x-pii'];

const KNOWN = new Set([...DRAFT_04, ...EXTENSIONS]);

/**
 * `known-keyword`: a keyword outside draft-04 and the Iglu/Tracklane extensions is ignored by the
 * collector (ajv runs with `strict: false`), so `maxLenght: 3` or a later draft's `const` silently
 * constrains nothing. Names one close known keyword when there is one.
 */
export function checkKnownKeywords(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  for (const key of Object.keys(node)) {
    if (KNOWN.has(key)) continue;
    const near = closestKeyword(key);
    const hint = near === undefined ? '' : ` (did you mean "${near}"?)`;
    report('known-keyword', `${place.pointer}/${pointerSegment(key)}`, `unknown keyword "${key}"${hint}: not JSON Schema draft-04, the collector ignores it`);
  }
}

/** The known keyword within two edits of `key` (case-insensitive), if exactly one is closest. */
export function closestKeyword(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN) {
    const d = editDistance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`maxLenght` is one edit from `maxLength`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
