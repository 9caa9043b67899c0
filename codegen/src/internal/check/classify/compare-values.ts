import type { JsonSchema } from '../../load/types.js';
import { canonicalJson } from '../lock-file.js';
import { compareBound } from './compare-bounds.js';
import { longestMatch } from './regex-sample.js';
import type { Comparison } from './comparison.js';
import { sampleOf, typeList } from './sample.js';

const ALL_TYPES = ['null', 'boolean', 'integer', 'number', 'string', 'object', 'array'];

/** Whether a value of JSON Schema type `t` has a type in `types` (integers are numbers). */
export function admits(types: readonly string[] | undefined, t: string): boolean {
  return types === undefined || types.includes(t) || (t === 'integer' && types.includes('number'));
}

/** The types of old data the new node still takes by type: the constraints of these are compared. */
export function keptTypes(a: JsonSchema, b: JsonSchema): Set<string> {
  const from = typeList(a) ?? ALL_TYPES;
  const to = typeList(b);
  const kept = new Set(from.filter((t) => admits(to, t)));
  if (from.includes('number') && to?.includes('integer')) kept.add('integer');
  return kept;
}

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

/** Types: a type dropped is a REVISION, every type but null dropped a MODEL (Snowplow: "change a type"). */
export function compareTypes(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  const from = typeList(a);
  const to = typeList(b);
  const show = (types: readonly string[] | undefined): string => (types ? types.join('|') : 'any');
  if (!to) {
    if (from) c.loosened('/type', 'type constraint removed');
    return;
  }
  const hints = (types: readonly string[]): (() => unknown[]) => () => types.flatMap((t) => [sampleOf(a, c.oldRoot, t), ...(t === 'number' ? [0.5] : [])]);
  if (!from) {
    const lost = ALL_TYPES.filter((t) => !admits(to, t));
    c.narrowed('REVISION', '/type', `type ${show(to)} added where any type was allowed`, a, b, hints(lost));
    return;
  }
  const toInteger = from.includes('number') && !to.includes('number') && to.includes('integer');
  const lost = from.filter((t) => !admits(to, t) && !(t === 'number' && toInteger));
  const kept = from.filter((t) => admits(to, t) || (t === 'number' && toInteger));
  if (toInteger) c.narrowed('REVISION', '/type', `type narrowed from number to integer (no longer 0.5)`, a, b, () => [0.5, 1.5]);
  if (lost.length === 0) {
    if (!toInteger && to.some((t) => !admits(from, t))) c.loosened('/type', `type widened from ${show(from)} to ${show(to)}`);
  } else if (kept.every((t) => t === 'null')) {
    c.narrowed('MODEL', '/type', `type changed from ${show(from)} to ${show(to)}`, a, b, hints(lost));
  } else {
    c.narrowed('REVISION', '/type', `type narrowed from ${show(from)} to ${show(to)} (no longer ${lost.join(', ')})`, a, b, hints(lost));
  }
}

export function compareNumbers(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  compareBound(a, b, 'minimum', c);
  compareBound(a, b, 'maximum', c);
  const x = a.multipleOf;
  const y = b.multipleOf;
  if (y === undefined) {
    if (x !== undefined) c.loosened('', 'multipleOf removed');
    return;
  }
  const integersOnly = typeList(a)?.every((t) => t === 'integer' || t === 'null') === true;
  const divides = (x !== undefined && Number.isInteger(x / y)) || (y === 1 && integersOnly);
  if (!divides) c.narrowed('REVISION', '/multipleOf', `multipleOf ${x === undefined ? `added (${y})` : `changed from ${x} to ${y}`}`, a, b);
  else if (x !== y) c.loosened('/multipleOf', `multipleOf ${x === undefined ? 'implied' : `relaxed from ${x} to ${y}`}`);
}

/**
 * Lengths are bounds; a new or changed `pattern` or `format` is a narrowing claim: one regular
 * expression containing another is not decided here, so without a witness it stays undecided.
 */
export function compareStrings(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  compareBound(a, b, 'minLength', c);
  // A pattern anchored at both ends may bound the length already (`^[0-9a-f]{16}$`: at most 16).
  const byPattern = typeof a.pattern === 'string' ? longestMatch(a.pattern) : undefined;
  compareBound(a, b, 'maxLength', c, byPattern !== undefined && byPattern < (a.maxLength ?? Infinity) ? byPattern : undefined);
  for (const key of ['pattern', 'format'] as const) {
    if (b[key] === undefined) {
      if (a[key] !== undefined) c.loosened('', `${key} removed`);
    } else if (a[key] !== b[key]) {
      c.narrowed('REVISION', `/${key}`, `${key} ${a[key] === undefined ? `added (${b[key]})` : `changed from ${a[key]} to ${b[key]}`}`, a, b);
    }
  }
}

/** A new `enum` or `const` on a node that allowed more than a few values: a narrowing claim. */
export function compareEnum(a: JsonSchema, b: JsonSchema, c: Comparison): void {
  if (Array.isArray(b.enum)) c.narrowed('REVISION', '/enum', 'enum added: values valid before may not be now', a, b);
  else if ('const' in b) c.narrowed('REVISION', '/const', 'const added: values valid before may not be now', a, b);
  else if (Array.isArray(a.enum) || 'const' in a) c.loosened('', 'enum removed');
}
