import type { JsonSchema } from '../../load/types.js';
import { compareNode } from './compare-node.js';
import type { Comparison } from './comparison.js';
import { EXTRA_KEY } from './probes.js';
import { sampleMatching } from './regex-sample.js';
import { sampleObject, sampleOf } from './sample.js';
import { asSchema, constraintsOf, safeTest, schemaForKey, token, typeList } from './schema-nodes.js';

/** What the new version applies to a key: every schema that must hold, or false when the key is refused. */
export function newKeySchemas(b: JsonSchema, key: string): { pointer: string; schema: JsonSchema }[] | false {
  const out: { pointer: string; schema: JsonSchema }[] = [];
  const declared = b.properties?.[key];
  if (declared) out.push({ pointer: `/properties${token(key)}`, schema: declared });
  for (const [pattern, schema] of Object.entries(b.patternProperties ?? {})) if (safeTest(pattern, key)) out.push({ pointer: `/patternProperties${token(pattern)}`, schema });
  if (out.length > 0) return out;
  const additional = asSchema(b.additionalProperties);
  return additional === false ? false : [{ pointer: '/additionalProperties', schema: additional }];
}

/** MODEL is claimed only for a node that takes nothing but objects (and null): other values pass a key rule. */
export function objectsOnly(a: JsonSchema): boolean {
  return typeList(a)?.every((t) => t === 'object' || t === 'null') === true;
}

export function compareKey(a: JsonSchema, b: JsonSchema, key: string, c: Comparison): void {
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
export function comparePatterns(a: JsonSchema, b: JsonSchema, c: Comparison): void {
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
export function compareAdditional(a: JsonSchema, b: JsonSchema, c: Comparison): void {
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
