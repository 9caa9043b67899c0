import type { JsonSchema } from '../load/types.js';
import { q } from './code-writer.js';

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const RULE_KEYS = ['minLength', 'maxLength', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'] as const;

/**
 * Whether a node only constrains a scalar (string, number, boolean, null, or an enum of those):
 * such leaves, the bulk of most schemas, are checked by one call to the runtime's `checkScalar`
 * with a literal of their rules, which keeps generated validators small.
 */
export function isScalarLeaf(s: JsonSchema | boolean | undefined): boolean {
  if (typeof s !== 'object' || s === null) return false;
  if (s.$ref !== undefined || s.allOf || s.anyOf || s.oneOf || s.properties || s.items || s.patternProperties || s.additionalProperties !== undefined || s.required) return false;
  const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : [];
  const scalarEnum = (values: unknown[]): boolean => values.every((e) => e === null || typeof e !== 'object');
  if (Array.isArray(s.enum) && !scalarEnum(s.enum)) return false;
  if (s.const !== undefined && s.const !== null && typeof s.const === 'object') return false;
  if (types.length === 0) return Array.isArray(s.enum) || s.const !== undefined;
  return types.every((t) => SCALAR_TYPES.has(t));
}

/** `checkScalar(out, value, path, { type, enum, minLength, pattern, … })` for a scalar leaf (skipped at run time when the value is undefined). */
export function scalarCall(s: JsonSchema, value: string, path: string): string {
  const rules: string[] = [];
  const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : [];
  if (types.length > 0) rules.push(`type: ${q(types)}`);
  if (Array.isArray(s.enum)) rules.push(`enum: ${q(s.enum)}`);
  if (s.const !== undefined) rules.push(`const: ${q(s.const)}`);
  for (const key of RULE_KEYS) {
    const v = s[key];
    if ((typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && key === 'format') || (v === true && key.startsWith('exclusive'))) rules.push(`${key}: ${q(v)}`);
  }
  const regex = typeof s.pattern === 'string' ? regexLiteral(s.pattern) : undefined;
  if (regex) rules.push(`pattern: ${regex}`);
  return `checkScalar(out, ${value}, ${path}, { ${rules.join(', ')} });`;
}

/** A regular expression literal for a JSON Schema pattern, or undefined when JavaScript cannot compile it. */
export function regexLiteral(pattern: string): string | undefined {
  const body = pattern.replace(/\\.|\//g, (m) => (m === '/' ? '\\/' : m)).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  for (const flags of ['u', '']) {
    try {
      new RegExp(body, flags);
      return `/${body}/${flags}`;
    } catch {
      // try the next flag set
    }
  }
  return undefined;
}
