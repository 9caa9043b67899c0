import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import type { Comparison } from './comparison.js';
import { ANNOTATIONS } from './schema-nodes.js';

/** The keywords the other rules read: anything else that changed is undecided. */
const READ = new Set([
  '$ref', 'type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'format',
  'items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'properties', 'required', 'additionalProperties', 'patternProperties',
  'minProperties', 'maxProperties', 'dependencies', 'allOf', 'anyOf', 'oneOf', 'not',
]);

/**
 * Keywords no rule reads (`contains`, `propertyNames`, `if`, which the collector's ajv enforces
 * though they are not draft-04): a change is searched for a witness and otherwise reported as
 * "cannot prove ADDITION" rather than guessed. Removing one only loosens.
 */
export function compareOthers(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (READ.has(key) || ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    if (canonicalJson(a[key]) === canonicalJson(b[key])) continue;
    if (b[key] === undefined) c.loosened('', `${key} removed`);
    else c.undecided(`/${key}`, `${key} ${a[key] === undefined ? 'added' : 'changed'}: this keyword is not analysed`, a, b);
  }
}
