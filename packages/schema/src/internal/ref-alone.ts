import { eachSubschema } from './schema-problems.js';

/**
 * Draft-04 reads a schema with `$ref` as the reference alone: its other keywords, `id` included,
 * are ignored (ajv applies them, and fails the suite's "ref overrides any sibling keywords" and
 * "$ref prevents a sibling id from changing the base uri"). Returns a copy where each such
 * subschema is `{ $ref }` only; the input is untouched.
 */
export function withRefAlone(body: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(body);
  eachSubschema(copy, '', (node) => {
    if (typeof node.$ref !== 'string') return;
    for (const key of Object.keys(node)) if (key !== '$ref') delete node[key];
  });
  return copy;
}
