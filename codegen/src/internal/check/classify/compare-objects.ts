import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import { compareBound } from './compare-bounds.js';
import { compareNode } from './compare-node.js';
import type { Comparison } from './comparison.js';
import { EXTRA_KEY } from './probes.js';
import { sampleMatching } from './regex-sample.js';
import { safeTest, sampleObject, sampleOf, schemaForKey, typeList } from './sample.js';
import { asSchema, constraintsOf, token } from './schema-nodes.js';

/**
 * Object keywords. Each key of old data is checked against what the new version applies to it:
 * its property schema and every matching `patternProperties` schema, or `additionalProperties`.
 */
export function compareObjects(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const most = mostProperties(a);
  compareBound(a, b, 'minProperties', c);
  compareBound(a, b, 'maxProperties', c, most);
  compareRequired(a, b, c);
  // An old object with no keys at all (`maxProperties: 0`, or closed with none declared) fits any key rule.
  if (most === 0) return;
  const keys = new Set([...Object.keys(a.properties ?? {}), ...Object.keys(b.properties ?? {})]);
  for (const key of keys) compareKey(a, b, key, c);
  comparePatterns(a, b, c);
  compareAdditional(a, b, c);
  compareDependencies(a, b, c);
}

/** The most keys an old object can have: its maxProperties, or the count of a closed object's properties. */
function mostProperties(a: JsonSchema): number | undefined {
  const closed = a.additionalProperties === false && Object.keys(a.patternProperties ?? {}).length === 0;
  const declared = closed ? Object.keys(a.properties ?? {}).length : Infinity;
  const most = Math.min(a.maxProperties ?? Infinity, declared);
  return Number.isFinite(most) ? most : undefined;
}

/** What the new version applies to a key: every schema that must hold, or false when the key is refused. */
function newKeySchemas(b: JsonSchema, key: string): { pointer: string; schema: JsonSchema }[] | false {
  const out: { pointer: string; schema: JsonSchema }[] = [];
  const declared = b.properties?.[key];
  if (declared) out.push({ pointer: `/properties${token(key)}`, schema: declared });
  for (const [pattern, schema] of Object.entries(b.patternProperties ?? {})) if (safeTest(pattern, key)) out.push({ pointer: `/patternProperties${token(pattern)}`, schema });
  if (out.length > 0) return out;
  const additional = asSchema(b.additionalProperties);
  return additional === false ? false : [{ pointer: '/additionalProperties', schema: additional }];
}

/** MODEL is claimed only for a node that takes nothing but objects (and null): other values pass a key rule. */
function objectsOnly(a: JsonSchema): boolean {
  return typeList(a)?.every((t) => t === 'object' || t === 'null') === true;
}

function compareRequired(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const before = new Set(a.required ?? []);
  const after = new Set(b.required ?? []);
  const kind = objectsOnly(a) ? 'MODEL' : 'REVISION';
  for (const key of after) {
    if (before.has(key)) continue;
    const hints = (): unknown[] => [sampleObject(a, c.oldRoot, 0, key)];
    if (!(key in (a.properties ?? {})) && key in (b.properties ?? {})) c.narrowed(kind, `/properties${token(key)}`, `required property "${key}" added: historical data lacks it`, a, b, hints);
    else c.narrowed(kind, '/required', `property "${key}" became required`, a, b, hints);
  }
  for (const key of before) if (!after.has(key)) c.loosened('/required', `property "${key}" is no longer required`);
}

function compareKey(a: JsonSchema, b: JsonSchema, key: string, c: Comparison): void {
  const old = schemaForKey(a, key);
  if (old === false) {
    // Old data never has this key: any schema for it takes all of it.
    if (!(b.required ?? []).includes(key)) c.loosened(`/properties${token(key)}`, `optional property "${key}" added`);
    return;
  }
  const now = newKeySchemas(b, key);
  const step = { kind: 'property' as const, key, schema: old };
  const required = (a.required ?? []).includes(key);
  if (now === false) {
    const message = required ? `required property "${key}" removed from a closed object: all historical data has it` : `property "${key}" removed from a closed object: historical data holding it is now invalid`;
    c.narrowed(required && objectsOnly(a) ? 'MODEL' : 'REVISION', '/additionalProperties', message, a, b, () => [{ ...sampleObject(a, c.oldRoot), [key]: sampleOf(old, c.oldRoot) }]);
    return;
  }
  const declaredBefore = key in (a.properties ?? {});
  if (!declaredBefore && Object.keys(constraintsOf(old)).length === 0) {
    // A new property on an open object: old data may hold the key with any value.
    const constrained = now.filter((n) => Object.keys(constraintsOf(n.schema)).length > 0);
    // A key that only now became required is reported by compareRequired.
    const newlyRequired = (b.required ?? []).includes(key) && !required;
    if (newlyRequired) return;
    for (const { pointer, schema } of constrained) {
      c.at('', step).narrowed('REVISION', pointer, `${required ? 'required' : 'optional'} property "${key}" declared on an open object: historical data may hold it with another value`, old, schema);
    }
    return;
  }
  if (declaredBefore && now.length === 1 && now[0]!.pointer === '/additionalProperties' && Object.keys(constraintsOf(now[0]!.schema)).length === 0) {
    c.loosened('', `property "${key}" removed (still allowed as an additional property)`);
    return;
  }
  for (const { pointer, schema } of now) compareNode(old, schema, c.at(pointer, step));
}

/** Keys that match a pattern and no declared property. */
function comparePatterns(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const patterns = new Set([...Object.keys(a.patternProperties ?? {}), ...Object.keys(b.patternProperties ?? {})]);
  for (const pattern of patterns) {
    const key = sampleMatching(pattern) ?? EXTRA_KEY;
    if (key in (a.properties ?? {}) || key in (b.properties ?? {})) continue;
    // Without the same pattern, another old pattern may have taken such keys: then any value is assumed.
    const others = Object.keys(a.patternProperties ?? {}).length > 0;
    const old = a.patternProperties?.[pattern] ?? (others ? {} : asSchema(a.additionalProperties));
    if (old === false) continue;
    const now = newKeySchemas(b, key);
    const step = { kind: 'property' as const, key, schema: old };
    if (now === false) c.narrowed('REVISION', `/patternProperties${token(pattern)}`, `keys matching ${pattern} are no longer allowed`, a, b, () => [{ ...sampleObject(a, c.oldRoot), [key]: sampleOf(old, c.oldRoot) }]);
    else for (const { pointer, schema } of now) compareNode(old, schema, c.at(pointer, step));
  }
}

/** Keys that match neither a declared property nor a pattern. */
function compareAdditional(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const old = asSchema(a.additionalProperties);
  const now = asSchema(b.additionalProperties);
  if (old === false) {
    if (now !== false) c.loosened('/additionalProperties', 'additional properties now allowed');
    return;
  }
  if (now === false) {
    c.narrowed('REVISION', '/additionalProperties', 'additionalProperties set to false: historical data with extra properties is now invalid', a, b, () => [{ ...sampleObject(a, c.oldRoot), [EXTRA_KEY]: null }]);
    return;
  }
  compareNode(old, now, c.at('/additionalProperties', { kind: 'property', key: EXTRA_KEY, schema: old }));
}

/** `dependencies`: a new or longer list of keys that must come with a key refuses old data holding it alone. */
function compareDependencies(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const before = (a.dependencies ?? {}) as Record<string, unknown>;
  const after = (b.dependencies ?? {}) as Record<string, unknown>;
  for (const [key, now] of Object.entries(after)) {
    const old = before[key];
    if (canonicalJson(old) === canonicalJson(now)) continue;
    const weaker = Array.isArray(old) && Array.isArray(now) && now.every((k) => old.includes(k));
    if (weaker) {
      c.loosened(`/dependencies${token(key)}`, `fewer keys depend on "${key}"`);
      continue;
    }
    const hints = (): unknown[] => {
      const base = sampleObject(a, c.oldRoot);
      const schema = schemaForKey(a, key);
      return [{ ...base, [key]: schema === false ? null : sampleOf(schema, c.oldRoot) }];
    };
    c.narrowed('REVISION', `/dependencies${token(key)}`, `dependencies of "${key}" ${old === undefined ? 'added' : 'changed'}`, a, b, hints);
  }
  for (const key of Object.keys(before)) if (!(key in after)) c.loosened('/dependencies', `dependencies of "${key}" removed`);
}
