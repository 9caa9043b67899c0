import { eachSubschema } from './schema-problems.js';

/**
 * A copy of a draft-04 schema body that ajv reads as draft-04 does (the JSON Schema Test Suite
 * fails without it); the input is untouched.
 *
 * - A subschema with `$ref` is the reference alone: draft-04 ignores its other keywords, `id`
 *   included (ajv applies them).
 * - A property named `__proto__` is checked: ajv drops it from `properties` (a guard against
 *   prototype pollution in its own code), so it moves to `patternProperties` as `^__proto__$`,
 *   which draft-04 applies to the same property and counts alike for `additionalProperties`.
 */
export function draft4Body(body: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(body);
  eachSubschema(copy, '', (node) => {
    if (typeof node.$ref === 'string') {
      for (const key of Object.keys(node)) if (key !== '$ref') delete node[key];
      return;
    }
    const properties = node.properties;
    if (typeof properties !== 'object' || properties === null || !Object.hasOwn(properties, '__proto__')) return;
    const proto = (properties as Record<string, unknown>)['__proto__'];
    delete (properties as Record<string, unknown>)['__proto__'];
    const patterns = typeof node.patternProperties === 'object' && node.patternProperties !== null ? (node.patternProperties as Record<string, unknown>) : {};
    const existing = Object.hasOwn(patterns, '^__proto__$') ? patterns['^__proto__$'] : undefined;
    patterns['^__proto__$'] = existing === undefined ? proto : { allOf: [existing, proto] };
    node.patternProperties = patterns;
  });
  return copy;
}
