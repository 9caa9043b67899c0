import type { JsonSchema } from '../../load/types.js';

/** Keywords that describe but never constrain (ajv ignores them), so changing them is an ADDITION. */
export const ANNOTATIONS = new Set(['description', 'title', 'self', '$schema', 'id', 'default', 'examples', 'x-tracklane', 'x-pii', '$comment', 'definitions']);

export function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A node as `false` / `true` / schema: draft-04 allows booleans for additionalProperties and additionalItems only. */
export function asSchema(value: boolean | JsonSchema | undefined): JsonSchema | false {
  if (value === false) return false;
  return isSchema(value) ? value : {};
}

/** Escapes one JSON pointer token (RFC 6901). */
export function token(key: string | number): string {
  return `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The node a local `$ref` (`#/...`) points at in `root`, or undefined for any other reference. */
export function resolveLocalRef(ref: string, root: JsonSchema): JsonSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isSchema(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return isSchema(node) ? node : undefined;
}

/** Follows local `$ref`s (draft-04: a `$ref` replaces its siblings) until a node without one. */
export function deref(node: JsonSchema, root: JsonSchema): JsonSchema {
  let current = node;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 32; hops++) {
    const target = resolveLocalRef(current.$ref, root);
    if (!target) return current;
    current = target;
  }
  return current;
}

/** The node without its annotations, for "did anything that validates change" comparisons. */
export function constraintsOf(node: JsonSchema): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).filter(([key]) => !ANNOTATIONS.has(key)));
}

/** `node` without some of its keywords. */
export function without(node: JsonSchema, ...keys: string[]): JsonSchema {
  return Object.fromEntries(Object.entries(node).filter(([key]) => !keys.includes(key)));
}

export const ALL_TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'object', 'array'];

/** Whether a value of JSON Schema type `t` has a type in `types` (integers are numbers). */
export function admits(types: readonly string[] | undefined, t: string): boolean {
  return types === undefined || types.includes(t) || (t === 'integer' && types.includes('number'));
}

/** The declared types of a node as a list (`undefined`: any type). */
export function typeList(node: JsonSchema): string[] | undefined {
  if (node.type === undefined) return undefined;
  return Array.isArray(node.type) ? node.type : [node.type];
}

/** The schema an object's key is validated by: its property, a matching pattern, or additionalProperties. */
export function schemaForKey(node: JsonSchema, key: string): JsonSchema | false {
  const declared = node.properties?.[key];
  if (declared) return declared;
  for (const [pattern, schema] of Object.entries(node.patternProperties ?? {})) if (safeTest(pattern, key)) return schema;
  return asSchema(node.additionalProperties);
}

export function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return false;
  }
}

/** The schema of item `index`: the tuple's, additionalItems past it, or the one items schema. */
export function itemSchema(node: JsonSchema, index: number): JsonSchema | false {
  if (Array.isArray(node.items)) return node.items[index] ?? asSchema(node.additionalItems as boolean | JsonSchema | undefined);
  return isSchema(node.items) ? node.items : {};
}
