import { allowsType } from './declared-types.js';
import type { Report } from './rules.js';
import type { SubschemaPlace } from './subschemas.js';

/** Keywords that only constrain values of one type (draft-04 ignores them on others). */
const KEYWORDS_OF: readonly [string, readonly string[]][] = [
  ['number', ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']],
  ['string', ['minLength', 'maxLength', 'pattern']],
  ['array', ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems']],
  ['object', ['properties', 'patternProperties', 'additionalProperties', 'required', 'minProperties', 'maxProperties', 'dependencies']],
];

/**
 * `keyword-type`: a keyword for a type the subschema does not allow constrains nothing
 * (`"type": "string", "minimum": 1`): the bound its author meant is never checked. igluctl:
 * numericProperties, stringProperties, arrayProperties, objectProperties.
 */
export function checkKeywordType(node: Record<string, unknown>, place: SubschemaPlace, report: Report): void {
  if (node['type'] === undefined) return; // every type is allowed
  for (const [type, keywords] of KEYWORDS_OF) {
    if (allowsType(node, type) || (type === 'number' && allowsType(node, 'integer'))) continue;
    for (const keyword of keywords) {
      if (node[keyword] !== undefined) report('keyword-type', `${place.pointer}/${keyword}`, `${keyword} applies to ${type === 'number' ? 'numbers' : `${type}s`}, but the type is ${JSON.stringify(node['type'])}: it constrains nothing`);
    }
  }
}
