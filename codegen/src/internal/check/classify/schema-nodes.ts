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
