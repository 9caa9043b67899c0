import type { JsonSchema } from '../load/types.js';

/** Constraint keywords rendered as JSDoc tags, in this order. */
const CONSTRAINTS = [
  'format', 'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
] as const;

/** JSDoc lines for a property or schema: its description, then its constraints and PII mark as tags. */
export function docLines(schema: JsonSchema): string[] {
  const lines: string[] = [];
  if (typeof schema.description === 'string' && schema.description.trim() !== '') lines.push(...schema.description.trim().split(/\r?\n/));
  for (const key of CONSTRAINTS) {
    const value = schema[key];
    if (value !== undefined && value !== false) lines.push(`@${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (typeof schema['x-pii'] === 'string') lines.push(`@pii ${schema['x-pii']} (applied before the event is stored)`);
  return lines;
}
