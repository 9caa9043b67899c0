import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import { admits, deref, schemaForKey, typeList } from './schema-nodes.js';

const ALL_TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'object', 'array'];

/** The types a node's values can have: its `type`, narrowed by its enum's values. */
function typesOf(node: JsonSchema): string[] {
  const declared = typeList(node) ?? ALL_TYPES;
  if (!Array.isArray(node.enum)) return declared;
  const ofValues = new Set<string>(node.enum.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v)));
  return declared.filter((t) => ofValues.has(t) || (t === 'number' && ofValues.has('integer')));
}

/**
 * Whether no value can match both nodes, proven by: no common type; enums with no common value; a
 * key one requires that the other refuses; or, between objects only, a key both require whose
 * schemas are disjoint (a discriminator such as `"kind": {"enum": ["a"]}`). False means "not
 * proven", not "they overlap".
 */
export function provablyDisjoint(x0: JsonSchema, y0: JsonSchema, root: JsonSchema, depth = 0): boolean {
  const x = deref(x0, root);
  const y = deref(y0, root);
  if (depth > 4) return false;
  const tx = typesOf(x);
  const ty = typesOf(y);
  const common = tx.filter((t) => admits(ty, t) || (t === 'number' && ty.includes('integer')));
  if (common.length === 0) return true;
  if (Array.isArray(x.enum) && Array.isArray(y.enum)) {
    const values = new Set(x.enum.map(canonicalJson));
    if (!y.enum.some((v) => values.has(canonicalJson(v)))) return true;
  }
  if (common.some((t) => t !== 'object')) return false;
  const refuses = (a: JsonSchema, b: JsonSchema): boolean => (a.required ?? []).some((k) => schemaForKey(b, k) === false);
  if (refuses(x, y) || refuses(y, x)) return true;
  return (x.required ?? []).some((k) => {
    if (!(y.required ?? []).includes(k)) return false;
    const sx = schemaForKey(x, k);
    const sy = schemaForKey(y, k);
    return sx !== false && sy !== false && provablyDisjoint(sx, sy, root, depth + 1);
  });
}
