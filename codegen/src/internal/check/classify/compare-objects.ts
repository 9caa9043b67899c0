import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import { compareBound } from './compare-bounds.js';
import { compareAdditional, compareKey, comparePatterns, objectsOnly } from './compare-keys.js';
import type { Comparison } from './comparison.js';
import { sampleObject, sampleOf } from './sample.js';
import { schemaForKey, token } from './schema-nodes.js';

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
