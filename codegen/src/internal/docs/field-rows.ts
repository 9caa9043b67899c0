import { pointerToken, resolveRef, schemaTypes, type SchemaContext } from '../emit/schema-context.js';
import type { JsonSchema } from '../load/types.js';

/** One documented field: its JSON pointer, type, whether it is required, constraints, PII mark and description. */
export interface FieldRow {
  pointer: string;
  type: string;
  required: boolean;
  constraints: string[];
  pii?: string;
  description?: string;
}

const CONSTRAINT_KEYS = ['format', 'enum', 'const', 'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties'];

/** Flattens a schema into rows, nested objects and array items (`/items/*​/sku`) included. */
export function fieldRows(schema: JsonSchema, ctx: SchemaContext): FieldRow[] {
  const rows: FieldRow[] = [];
  const visit = (node: JsonSchema, pointer: string, seen: Set<JsonSchema>): void => {
    if (seen.has(node)) return;
    const inner = new Set(seen).add(node);
    const target = typeof node.$ref === 'string' ? resolveRef(node.$ref, ctx) : undefined;
    const resolved = target && 'local' in target ? target.local : node;
    const required = new Set(resolved.required ?? []);
    for (const [key, prop] of Object.entries(resolved.properties ?? {})) {
      if (typeof prop !== 'object' || prop === null) continue;
      const at = `${pointer}/${pointerToken(key)}`;
      rows.push(row(prop, at, required.has(key), ctx));
      visit(prop, at, inner);
    }
    const items = resolved.items;
    if (items && !Array.isArray(items) && typeof items === 'object') visit(items, `${pointer}/*`, inner);
  };
  visit(schema, '', new Set());
  return rows;
}

function row(prop: JsonSchema, pointer: string, required: boolean, ctx: SchemaContext): FieldRow {
  const ref = typeof prop.$ref === 'string' ? resolveRef(prop.$ref, ctx) : undefined;
  const node = ref && 'local' in ref ? ref.local : prop;
  const types = schemaTypes(node);
  const itemTypes = types.includes('array') && node.items && !Array.isArray(node.items) ? schemaTypes(node.items) : [];
  const type = ref && 'iglu' in ref ? ref.iglu : types.map((t) => (t === 'array' && itemTypes.length > 0 ? `${itemTypes.join('|')}[]` : t)).join(' | ') || (node.oneOf || node.anyOf ? 'one of several' : 'any');
  const constraints = CONSTRAINT_KEYS.filter((k) => node[k] !== undefined).map((k) => `${k}: ${typeof node[k] === 'string' ? node[k] : JSON.stringify(node[k])}`);
  return { pointer, type, required, constraints, pii: typeof node['x-pii'] === 'string' ? node['x-pii'] : undefined, description: typeof node.description === 'string' ? node.description : undefined };
}
