import { isPiiAction } from '../load/pii-marks.js';
import type { JsonSchema } from '../load/types.js';
import { pointerToken, resolveRef, type SchemaContext } from './schema-context.js';

/**
 * The `x-pii` marks of a schema as PII rules: JSON pointer into the data -> action, arrays as `*`
 * (`/contacts/*​/email`). Sorted by pointer so output is stable. A mark of any other value never gets
 * here: the loader rejects it (`checkPiiMarks`).
 */
export function collectPii(schema: JsonSchema, ctx: SchemaContext): [string, string][] {
  const rules = new Map<string, string>();
  const visit = (node: JsonSchema | undefined, pointer: string, seen: Set<JsonSchema>): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    if (typeof node.$ref === 'string') {
      const target = resolveRef(node.$ref, ctx);
      if (target && 'local' in target) visit(target.local, pointer, seen);
    }
    if (pointer !== '' && isPiiAction(node['x-pii'])) rules.set(pointer, node['x-pii']);
    for (const [key, prop] of Object.entries(node.properties ?? {})) visit(prop, `${pointer}/${pointerToken(key)}`, seen);
    if (node.items && !Array.isArray(node.items)) visit(node.items, `${pointer}/*`, seen);
    for (const branch of [...(node.oneOf ?? []), ...(node.anyOf ?? []), ...(node.allOf ?? [])]) visit(branch, pointer, seen);
    seen.delete(node);
  };
  visit(schema, '', new Set());
  return [...rules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
