type JsonSchema = Record<string, unknown>;

/** What a tracker puts in place of a redacted value (`REDACTED` in @tracklane/core). */
const REDACTED = '[redacted]';

/**
 * Trackers transform fields marked `x-pii` before events leave the device: hashed to SHA-256 hex,
 * redacted, or dropped. Such a field can no longer match its original constraints (an email
 * `format`, a `maxLength`...), so the collector validates it as either the original or its
 * transformed form, and a dropped field may be absent. Returns a new schema; the input is untouched.
 */
export function allowPiiTransforms(schema: JsonSchema): JsonSchema {
  return relax(schema) as JsonSchema;
}

function relax(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relax);
  if (typeof node !== 'object' || node === null) return node;
  const schema = node as JsonSchema;
  // Object.fromEntries, not assignment: a property named `__proto__` stays a property.
  const out: JsonSchema = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, relax(value)]));
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties && typeof properties === 'object') {
    const dropped = new Set<string>();
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, JsonSchema>).map(([name, property]) => {
      const mark = Object.hasOwn(properties, name) ? properties[name]?.['x-pii'] : undefined;
      if (mark === 'drop') dropped.add(name);
      return [name, mark === 'hash' || mark === 'redact' ? { anyOf: [property, transformed(mark)] } : property];
    }));
    if (Array.isArray(schema.required) && dropped.size > 0) out.required = schema.required.filter((name) => !dropped.has(String(name)));
  }
  return out;
}

function transformed(mark: 'hash' | 'redact'): JsonSchema {
  return mark === 'hash' ? { type: 'string', pattern: '^[0-9a-f]{64}$' } : { enum: [REDACTED] };
}
