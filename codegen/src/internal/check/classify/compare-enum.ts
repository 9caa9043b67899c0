import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import type { Comparison } from './comparison.js';
import { typeList } from './schema-nodes.js';

/** The values an old node allows when it allows only a few (an enum, a const, boolean, null). */
function finiteValues(a: JsonSchema): unknown[] | undefined {
  if (Array.isArray(a.enum)) return a.enum;
  if ('const' in a) return [a.const];
  const types = typeList(a);
  if (types && types.length > 0 && types.every((t) => t === 'boolean' || t === 'null')) return types.flatMap((t) => (t === 'null' ? [null] : [false, true]));
  return undefined;
}

/**
 * An old node that allows a handful of values is decided exactly: each is tried on both nodes by
 * the validator. An enum that gains an implied `type`, or a boolean that becomes an enum of both
 * values, is an ADDITION; a value dropped is a REVISION, all dropped a MODEL.
 */
export function compareFinite(a: JsonSchema, b: JsonSchema, c: Comparison): boolean {
  const values = finiteValues(a);
  if (!values) return false;
  const verdicts = values.map((v) => [v, c.judge.accepts(a, c.oldRoot, v), c.judge.accepts(b, c.newRoot, v)] as const);
  if (verdicts.some(([, before, after]) => before === undefined || after === undefined)) return false;
  const allowed = verdicts.filter(([, before]) => before);
  const lost = allowed.filter(([, , after]) => !after).map(([v]) => v);
  const where = Array.isArray(b.enum) ? '/enum' : b.type !== undefined && canonicalJson(b.type) !== canonicalJson(a.type) ? '/type' : '';
  if (lost.length === 0) {
    if (canonicalJson(a) !== canonicalJson(b)) c.loosened(where, `every value allowed before (${allowed.map(([v]) => canonicalJson(v)).join(', ')}) is still allowed`);
    return true;
  }
  const kind = lost.length === allowed.length ? 'MODEL' : 'REVISION';
  c.narrowed(kind, where, `${kind === 'MODEL' ? 'no value' : 'not every value'} allowed before is allowed now: ${lost.map((v) => canonicalJson(v)).join(', ')} no longer`, a, b, () => lost);
  return true;
}

/** A new `enum` or `const` on a node that allowed more than a few values: a narrowing claim. */
export function compareEnum(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  if (Array.isArray(b.enum)) c.narrowed('REVISION', '/enum', 'enum added: values valid before may not be now', a, b);
  else if ('const' in b) c.narrowed('REVISION', '/const', 'const added: values valid before may not be now', a, b);
  else if (Array.isArray(a.enum) || 'const' in a) c.loosened('', 'enum removed');
}
