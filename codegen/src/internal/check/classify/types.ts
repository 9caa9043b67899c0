import type { JsonSchema } from '../../load/types.js';
import type { ChangeKind } from '../../schemaver.js';

/**
 * One step from a schema node to a node below it, as the data sees it: into a property or an
 * array item (the instance goes one level down), or into a combinator branch (it stays put).
 * A witness is built by following the steps through the old schema.
 */
export type Step =
  | { kind: 'property'; key: string; schema: JsonSchema }
  | { kind: 'item'; index: number; schema: JsonSchema }
  | { kind: 'branch'; keyword: 'anyOf' | 'oneOf' | 'allOf'; index: number };

/** Where a narrowing was found: the old and new nodes, the way to them, and values to try there. */
export interface Site {
  route: readonly Step[];
  old: JsonSchema;
  new: JsonSchema;
  /** Values worth trying at this node first, before the generic probes. */
  hints?: () => unknown[];
}

/**
 * What the structural comparison found at one pointer. An ADDITION without a site is proven
 * compatible. A REVISION or MODEL is a claim that still needs a witness; `undecided` marks a
 * change the rules cannot prove compatible, searched for a witness all the same.
 */
export interface Finding {
  kind: ChangeKind;
  /** JSON pointer into the newer schema. */
  pointer: string;
  message: string;
  site?: Site;
  undecided?: boolean;
}
