import type { JsonSchema } from '../../load/types.js';
import { sampleMatching } from './regex-sample.js';
import { flatten, sampleNumber, sampleObject, sampleOf, sampleString } from './sample.js';
import { deref, itemSchema, schemaForKey, typeList } from './schema-nodes.js';

/** One value of each JSON type, and the edges validators differ on. */
const SCALARS: unknown[] = [null, true, false, 0, 1, -1, 0.5, -0.5, 2147483648, 2 ** 63, 1e21, '', 'a', 'A', '0', ' ', 'not a date', [], {}];
/** A key no schema in the corpus declares: an "additional" property. */
export const EXTRA_KEY = 'tracklane_witness';

/**
 * Values to try at a node where the new schema may refuse what the old one took: samples of the
 * old node in each of its types, values just past each bound of the new node, the old node's
 * samples with a key added, removed or replaced, and one value of every type. Which of them is
 * valid under the old version and invalid under the new one is for the validator to say.
 */
export function probesAt(oldNode: JsonSchema, newNode: JsonSchema, oldRoot: JsonSchema, newRoot: JsonSchema): unknown[] {
  const a = flatten(deref(oldNode, oldRoot), oldRoot);
  const b = flatten(deref(newNode, newRoot), newRoot);
  const types = typeList(a) ?? ['null', 'boolean', 'integer', 'number', 'string', 'object', 'array'];
  const out: unknown[] = [];
  for (const t of types) out.push(sampleOf(a, oldRoot, t));
  if (Array.isArray(a.enum)) out.push(...a.enum);
  out.push(...numberProbes(a, b), ...stringProbes(a, b), ...arrayProbes(a, b, oldRoot), ...objectProbes(a, b, oldRoot), ...SCALARS);
  return out;
}

function numberProbes(a: JsonSchema, b: JsonSchema): number[] {
  const out: number[] = [];
  const integer = typeList(a)?.includes('number') !== true && typeList(a)?.includes('integer') === true;
  if (b.maximum !== undefined) out.push(b.maximum + 1, b.maximum, b.maximum + 0.5);
  if (b.minimum !== undefined) out.push(b.minimum - 1, b.minimum, b.minimum - 0.5);
  if (b.multipleOf !== undefined) out.push(b.multipleOf / 2, b.multipleOf + 1, (a.multipleOf ?? 1) * 3, 1, 0.5);
  const base = sampleNumber(a, integer);
  out.push(base + 1, base - 1, base + 0.5);
  return integer ? out.filter(Number.isInteger) : out;
}

function stringProbes(a: JsonSchema, b: JsonSchema): string[] {
  const base = sampleString(a);
  const longer = (n: number): string => (base.length >= n ? base : base + base.slice(-1).repeat(n - base.length) || 'a'.repeat(n));
  const out = [base, sampleString(a, 1), sampleString(a, 3)];
  if (b.maxLength !== undefined) out.push(longer(b.maxLength + 1), sampleString(a, b.maxLength + 1), 'a'.repeat(b.maxLength + 1));
  if (b.minLength !== undefined && b.minLength > 0) out.push(base.slice(0, b.minLength - 1), 'a'.repeat(b.minLength - 1));
  if (typeof a.pattern === 'string') {
    const many = sampleMatching(a.pattern, 5);
    if (many !== undefined) out.push(many);
  }
  return out;
}

function arrayProbes(a: JsonSchema, b: JsonSchema, root: JsonSchema): unknown[] {
  const item = itemSchema(a, 0);
  const one = item === false ? null : sampleOf(item, root);
  const types = item === false ? [] : typeList(deref(item, root)) ?? [];
  const out: unknown[] = [[], [one], [one, one]];
  for (const t of types) out.push([sampleOf(item as JsonSchema, root, t)]);
  if (b.maxItems !== undefined) out.push(Array.from({ length: b.maxItems + 1 }, () => one));
  if (b.minItems !== undefined && b.minItems > 0) out.push(Array.from({ length: b.minItems - 1 }, () => one));
  return out;
}

function objectProbes(a: JsonSchema, b: JsonSchema, root: JsonSchema): unknown[] {
  const base = sampleObject(a, root);
  const keys = new Set([...Object.keys(a.properties ?? {}), ...Object.keys(b.properties ?? {}), EXTRA_KEY]);
  for (const pattern of [...Object.keys(a.patternProperties ?? {}), ...Object.keys(b.patternProperties ?? {})]) {
    const key = sampleMatching(pattern);
    if (key !== undefined) keys.add(key);
  }
  const out: unknown[] = [base];
  const full: Record<string, unknown> = { ...base };
  for (const key of keys) {
    const schema = schemaForKey(a, key);
    if (schema === false) continue;
    const own = sampleOf(schema, root);
    full[key] = own;
    out.push({ ...base, [key]: own });
    for (const value of [null, 0, 0.5, '', 'a', true, [], {}]) out.push({ ...base, [key]: value });
  }
  out.push(full);
  for (const key of Object.keys(base)) {
    const { [key]: _dropped, ...rest } = base;
    out.push(rest);
  }
  if (b.maxProperties !== undefined) {
    const many: Record<string, unknown> = { ...full };
    for (let i = 0; Object.keys(many).length <= b.maxProperties; i++) many[`${EXTRA_KEY}_${i}`] = null;
    out.push(many);
  }
  return out;
}
