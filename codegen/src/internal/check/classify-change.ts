import type { JsonSchema } from '../load/types.js';
import { changeRank, type ChangeKind } from '../schemaver.js';
import { canonicalJson } from './lock-file.js';

/** One difference between two versions, with the SchemaVer kind it needs and where it is. */
export interface SchemaChange {
  kind: ChangeKind;
  /** JSON pointer into the newer schema. */
  pointer: string;
  message: string;
}

/** Keywords that describe but do not constrain: changing them is an ADDITION. */
const ANNOTATIONS = new Set(['description', 'title', 'self', '$schema', 'default', 'examples', 'x-tracklane', 'x-pii', '$comment', 'properties', 'required', 'additionalProperties', 'items', 'type', 'enum']);
const UPPER_BOUNDS = ['maxLength', 'maximum', 'maxItems', 'maxProperties'] as const;
const LOWER_BOUNDS = ['minLength', 'minimum', 'minItems', 'minProperties'] as const;
const EXACT = ['pattern', 'format', 'multipleOf', 'const', 'exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems'] as const;

/**
 * Classifies the change from `from` to `to` with Snowplow's SchemaVer rules: ADDITION when all
 * data valid under `from` stays valid, REVISION when some may not, MODEL when none does
 * (a new required property, a property whose type changed).
 */
export function classifyChange(from: JsonSchema, to: JsonSchema): { kind: ChangeKind; changes: SchemaChange[] } {
  const changes: SchemaChange[] = [];
  diffNode(from, to, '', changes);
  if (changes.length === 0 && canonicalJson(from) !== canonicalJson(to)) changes.push({ kind: 'ADDITION', pointer: '', message: 'descriptions or metadata changed' });
  const kind = changes.reduce<ChangeKind>((max, c) => (changeRank(c.kind) > changeRank(max) ? c.kind : max), 'ADDITION');
  return { kind, changes };
}

function diffNode(a: JsonSchema, b: JsonSchema, at: string, out: SchemaChange[]): void {
  const push = (kind: ChangeKind, pointer: string, message: string): void => void out.push({ kind, pointer, message });
  diffTypes(a, b, at, push);
  diffEnum(a, b, at, push);
  for (const key of UPPER_BOUNDS) diffBound(a[key], b[key], (x, y) => y < x, key, at, push);
  for (const key of LOWER_BOUNDS) diffBound(a[key], b[key], (x, y) => y > x, key, at, push);
  for (const key of EXACT) {
    if (b[key] !== undefined && canonicalJson(a[key]) !== canonicalJson(b[key])) push('REVISION', `${at}/${key}`, `${key} ${a[key] === undefined ? 'added' : 'changed'}: data valid before may not be now`);
    else if (a[key] !== undefined && b[key] === undefined) push('ADDITION', at, `${key} removed`);
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (ANNOTATIONS.has(key) || (UPPER_BOUNDS as readonly string[]).includes(key) || (LOWER_BOUNDS as readonly string[]).includes(key) || (EXACT as readonly string[]).includes(key)) continue;
    if (canonicalJson(a[key]) !== canonicalJson(b[key])) push('REVISION', `${at}/${key}`, `${key} changed; compatibility of this keyword is not analysed, so it counts as a REVISION`);
  }
  diffObject(a, b, at, push);
  if (isSchema(a.items) && isSchema(b.items)) diffNode(a.items, b.items, `${at}/items`, out);
}

type Push = (kind: ChangeKind, pointer: string, message: string) => void;

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeSet(s: JsonSchema): Set<string> | undefined {
  if (s.type === undefined) return undefined;
  return new Set(Array.isArray(s.type) ? s.type : [s.type]);
}

/** Whether a value of JSON type `t` is accepted by the type set (integers are numbers). */
function admits(types: Set<string>, t: string): boolean {
  return types.has(t) || (t === 'integer' && types.has('number'));
}

function diffTypes(a: JsonSchema, b: JsonSchema, at: string, push: Push): void {
  const from = typeSet(a);
  const to = typeSet(b);
  if (!to) {
    if (from) push('ADDITION', `${at}/type`, 'type constraint removed');
    return;
  }
  if (!from) return void push('REVISION', `${at}/type`, `type ${[...to].join('|')} added where any type was allowed`);
  const lost = [...from].filter((t) => !admits(to, t));
  const kept = [...from].filter((t) => admits(to, t));
  const show = (s: Set<string>): string => [...s].join('|');
  if (lost.length === 0) {
    if ([...to].some((t) => !admits(from, t))) push('ADDITION', `${at}/type`, `type widened from ${show(from)} to ${show(to)}`);
  } else if (kept.length === 0 || kept.every((t) => t === 'null')) {
    push('MODEL', `${at}/type`, `type changed from ${show(from)} to ${show(to)}`);
  } else {
    push('REVISION', `${at}/type`, `type narrowed from ${show(from)} to ${show(to)} (no longer ${lost.join(', ')})`);
  }
}

function diffEnum(a: JsonSchema, b: JsonSchema, at: string, push: Push): void {
  if (!Array.isArray(b.enum)) {
    if (Array.isArray(a.enum)) push('ADDITION', `${at}/enum`, 'enum removed');
    return;
  }
  if (!Array.isArray(a.enum)) return void push('REVISION', `${at}/enum`, 'enum added: values valid before may not be now');
  const now = new Set(b.enum.map(canonicalJson));
  const before = new Set(a.enum.map(canonicalJson));
  const removed = [...before].filter((v) => !now.has(v));
  if (removed.length > 0) push('REVISION', `${at}/enum`, `enum narrowed: ${removed.join(', ')} no longer allowed`);
  else if (now.size > before.size) push('ADDITION', `${at}/enum`, 'enum widened');
}

function diffBound(x: number | undefined, y: number | undefined, tighter: (x: number, y: number) => boolean, key: string, at: string, push: Push): void {
  if (y === undefined) {
    if (x !== undefined) push('ADDITION', at, `${key} removed`);
  } else if (x === undefined || tighter(x, y)) {
    push('REVISION', `${at}/${key}`, `${key} ${x === undefined ? `added (${y})` : `tightened from ${x} to ${y}`}`);
  } else if (x !== y) {
    push('ADDITION', `${at}/${key}`, `${key} relaxed from ${x} to ${y}`);
  }
}

function diffObject(a: JsonSchema, b: JsonSchema, at: string, push: Push): void {
  const propsA = a.properties ?? {};
  const propsB = b.properties ?? {};
  const reqA = new Set(a.required ?? []);
  const reqB = new Set(b.required ?? []);
  const closedA = a.additionalProperties === false;
  const closedB = b.additionalProperties === false;
  const p = (key: string): string => `${at}/properties/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  for (const key of Object.keys(propsB)) {
    if (key in propsA) continue;
    if (reqB.has(key)) push('MODEL', p(key), `required property "${key}" added: historical data lacks it`);
    else if (closedA) push('ADDITION', p(key), `optional property "${key}" added`);
    else push('REVISION', p(key), `optional property "${key}" added to an open object: historical data may hold it with another type`);
  }
  for (const key of Object.keys(propsA)) {
    if (key in propsB) continue;
    if (!closedB) push('ADDITION', at, `property "${key}" removed (still allowed as an additional property)`);
    else if (reqA.has(key)) push('MODEL', `${at}/additionalProperties`, `required property "${key}" removed from a closed object: all historical data has it`);
    else push('REVISION', `${at}/additionalProperties`, `property "${key}" removed from a closed object: historical data holding it is now invalid`);
  }
  for (const key of reqB) if (!reqA.has(key) && key in propsA) push('MODEL', `${at}/required`, `property "${key}" became required`);
  for (const key of reqA) if (!reqB.has(key) && key in propsB) push('ADDITION', `${at}/required`, `property "${key}" is no longer required`);
  if (!closedA && closedB) push('REVISION', `${at}/additionalProperties`, 'additionalProperties set to false: historical data with extra properties is now invalid');
  if (closedA && !closedB) push('ADDITION', `${at}/additionalProperties`, 'additional properties now allowed');
  for (const key of Object.keys(propsB)) {
    const sub: SchemaChange[] = [];
    if (isSchema(propsA[key]) && isSchema(propsB[key])) diffNode(propsA[key], propsB[key], p(key), sub);
    sub.forEach((c) => push(c.kind, c.pointer, c.message));
  }
}
