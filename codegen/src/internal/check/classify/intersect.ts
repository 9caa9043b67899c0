import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import { admits, ANNOTATIONS, deref, typeList, without } from './schema-nodes.js';

/**
 * A node that takes at least every value both take: keywords of either, `required` and `type`
 * combined exactly, `properties` merged, other clashes kept as `allOf`. Merging `properties` can
 * only let more through (an `additionalProperties` then covers fewer keys), so this stands in for
 * an old node soundly: whatever it proves compatible, the real conjunction is too.
 */
export function loosestBoth(x: JsonSchema, y: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...x };
  const clashes: JsonSchema[] = [];
  for (const [key, value] of Object.entries(y)) {
    if (ANNOTATIONS.has(key) || value === undefined) continue;
    const mine = out[key];
    if (mine === undefined) out[key] = value;
    else if (canonicalJson(mine) === canonicalJson(value)) continue;
    else if (key === 'properties') out.properties = mergeProperties(out.properties ?? {}, y.properties ?? {});
    else if (key === 'required') out.required = [...new Set([...(out.required ?? []), ...(y.required ?? [])])];
    else if (key === 'type') out.type = commonTypes(typeList(x) ?? [], typeList(y) ?? []);
    else clashes.push({ [key]: value });
  }
  if (clashes.length > 0) out.allOf = [...(out.allOf ?? []), ...clashes];
  return out;
}

function mergeProperties(x: Record<string, JsonSchema>, y: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const out = { ...x };
  for (const [key, schema] of Object.entries(y)) out[key] = out[key] === undefined ? schema : { allOf: [out[key], schema] };
  return out;
}

function commonTypes(x: readonly string[], y: readonly string[]): string[] {
  const out = x.filter((t) => admits(y, t));
  if (x.includes('number') && y.includes('integer') && !out.includes('integer')) out.push('integer');
  return out;
}

/** An old node with its `allOf` folded in (see {@link loosestBoth}). */
export function foldAllOf(node: JsonSchema, root: JsonSchema): JsonSchema {
  if (!node.allOf) return node;
  return node.allOf.reduce<JsonSchema>((acc, part) => loosestBoth(acc, foldAllOf(deref(part, root), root)), without(node, 'allOf'));
}
