import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import { ANNOTATIONS, isSchema } from './schema-nodes.js';

/** Keywords whose value maps names to schemas, and those holding one schema or a list of them. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);
const SCHEMA_VALUES = new Set(['items', 'additionalItems', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf', 'contains', 'propertyNames', 'if', 'then', 'else']);

/** A schema without its annotations at any depth (names of properties are kept, however they are spelled). */
export function constraintsDeep(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(constraintsDeep);
  if (!isSchema(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    if (SCHEMA_MAPS.has(key) && isSchema(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, constraintsDeep(s)]));
    else out[key] = SCHEMA_VALUES.has(key) ? constraintsDeep(value) : value;
  }
  return out;
}

/** Canonical text of what a node validates, for "did it change" comparisons. */
export function semanticJson(node: JsonSchema | JsonSchema[] | undefined): string {
  return canonicalJson(constraintsDeep(node));
}
