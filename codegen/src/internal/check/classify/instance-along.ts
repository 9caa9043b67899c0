import type { JsonSchema } from '../../load/types.js';
import { loosestBoth } from './intersect.js';
import { flatten, sampleObject, sampleOf } from './sample.js';
import { deref, itemSchema, without } from './schema-nodes.js';
import type { Step } from './types.js';

/**
 * An instance of the root that follows `route` and holds `leaf` where it ends: the way a value
 * found at a nested node becomes a whole event.
 */
export function instanceAlong(node: JsonSchema, root: JsonSchema, route: readonly Step[], leaf: unknown, depth = 0): unknown {
  const [step, ...rest] = route;
  if (!step) return leaf;
  const resolved = deref(node, root);
  if (step.kind === 'branch') {
    const branch = resolved[step.keyword]?.[step.index];
    const merged = branch ? loosestBoth(without(resolved, step.keyword), deref(branch, root)) : resolved;
    return instanceAlong(merged, root, rest, leaf, depth);
  }
  const flat = flatten(resolved, root, step.kind === 'property' ? step.key : undefined);
  if (step.kind === 'property') {
    const out = sampleObject(flat, root, depth, step.key);
    out[step.key] = instanceAlong(step.schema, root, rest, leaf, depth + 1);
    return out;
  }
  const length = Math.max(step.index + 1, flat.minItems ?? 0);
  return Array.from({ length }, (_, i) => {
    if (i === step.index) return instanceAlong(step.schema, root, rest, leaf, depth + 1);
    const item = itemSchema(flat, i);
    return item === false ? null : sampleOf(item, root, undefined, depth + 1);
  });
}
