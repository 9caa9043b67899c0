import type { JsonSchema } from '../../load/types.js';
import { loosestBoth } from './intersect.js';
import { sampleMatching } from './regex-sample.js';
import { deref, itemSchema, schemaForKey, typeList, without } from './schema-nodes.js';

/**
 * Small instances built from a schema, as raw material for witnesses. They aim to be valid (the
 * smallest value of the simplest type a node allows) but need not be: every witness is checked
 * by the validator before it is reported.
 */

const FORMATS: Record<string, string> = {
  'date-time': '2020-01-01T00:00:00Z', date: '2020-01-01', time: '00:00:00Z', email: 'a@example.com',
  hostname: 'example.com', ipv4: '127.0.0.1', ipv6: '::1', uri: 'https://example.com/', 'uri-reference': '/a',
  uuid: '00000000-0000-4000-8000-000000000000', regex: 'a', 'json-pointer': '/a',
};

const TYPE_ORDER = ['null', 'boolean', 'integer', 'number', 'string', 'object', 'array'];

const MAX_DEPTH = 12;

/**
 * The node with its `allOf` and one branch of its `anyOf` / `oneOf` folded in: the first branch
 * that names `key` (the key an instance must hold on its way to a witness), else the first.
 */
export function flatten(node: JsonSchema, root: JsonSchema, key?: string): JsonSchema {
  let flat = without(node, 'allOf', 'anyOf', 'oneOf');
  for (const part of node.allOf ?? []) flat = loosestBoth(flat, flatten(deref(part, root), root, key));
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = (node[keyword] ?? []).map((b) => deref(b, root));
    const names = (b: JsonSchema): boolean => key !== undefined && ((b.required ?? []).includes(key) || key in (b.properties ?? {}));
    const chosen = branches.find(names) ?? branches[0];
    if (chosen) flat = loosestBoth(flat, flatten(chosen, root, key));
  }
  return flat;
}

/** A small instance of `node`; `prefer` picks the type when the node allows several. */
export function sampleOf(node: JsonSchema, root: JsonSchema, prefer?: string, depth = 0): unknown {
  const resolved = deref(node, root);
  if (depth > MAX_DEPTH) return null;
  if (Array.isArray(resolved.enum) && resolved.enum.length > 0) return structuredClone(resolved.enum[0]);
  const flat = flatten(resolved, root);
  const type = pickType(flat, prefer);
  if (type === 'null') return null;
  if (type === 'boolean') return false;
  if (type === 'integer' || type === 'number') return sampleNumber(flat, type === 'integer');
  if (type === 'string') return sampleString(flat);
  if (type === 'array') return sampleArray(flat, root, depth);
  return sampleObject(flat, root, depth);
}

function pickType(node: JsonSchema, prefer?: string): string {
  const declared = typeList(node);
  if (declared && prefer && (declared.includes(prefer) || (prefer === 'integer' && declared.includes('number')))) return prefer;
  if (declared) return TYPE_ORDER.find((t) => declared.includes(t)) ?? 'null';
  if (prefer) return prefer;
  return 'null';
}

export function sampleNumber(node: JsonSchema, integer: boolean): number {
  const step = integer ? 1 : 0.5;
  let lo = node.minimum;
  if (lo !== undefined && node.exclusiveMinimum === true) lo += step;
  let hi = node.maximum;
  if (hi !== undefined && node.exclusiveMaximum === true) hi -= step;
  let value = lo !== undefined && lo > 0 ? lo : hi !== undefined && hi < 0 ? hi : 0;
  if (integer) value = Math.ceil(value);
  if (node.multipleOf) value = Math.ceil(value / node.multipleOf) * node.multipleOf;
  return value;
}

export function sampleString(node: JsonSchema, extra = 0): string {
  if (node.format && node.format in FORMATS) return FORMATS[node.format]!;
  if (typeof node.pattern === 'string') {
    const match = sampleMatching(node.pattern, extra);
    if (match !== undefined) return match;
  }
  return 'a'.repeat(Math.max(node.minLength ?? 0, extra > 0 ? extra : 0));
}

function sampleArray(node: JsonSchema, root: JsonSchema, depth: number): unknown[] {
  const count = node.minItems ?? 0;
  return Array.from({ length: count }, (_, i) => {
    const item = itemSchema(node, i);
    return item === false ? null : sampleOf(item, root, undefined, depth + 1);
  });
}

/** The required keys of an object node, each with a sample, plus optional ones up to minProperties. */
export function sampleObject(node: JsonSchema, root: JsonSchema, depth = 0, skip?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fill = (key: string): void => {
    const schema = schemaForKey(node, key);
    out[key] = schema === false ? null : sampleOf(schema, root, undefined, depth + 1);
  };
  for (const key of node.required ?? []) if (key !== skip) fill(key);
  for (const key of Object.keys(node.properties ?? {})) {
    if (Object.keys(out).length >= (node.minProperties ?? 0)) break;
    if (!(key in out) && key !== skip) fill(key);
  }
  return out;
}
