import type { JsonSchema } from '../load/types.js';
import { pathCode, q, sub, type CodeWriter, type Path } from './code-writer.js';
import { isScalarLeaf, regexLiteral, scalarCall } from './compile-scalars.js';

/** Emits the checks of a nested schema (the validator's own `checks`, passed in to avoid an import cycle). */
export type Recurse = (schema: JsonSchema | boolean | undefined, v: string, path: Path, w: CodeWriter, seen: Set<JsonSchema>) => void;

/** `required`, properties, `additionalProperties` (false or a schema), `min/maxProperties`, guarded by `isObject(v)`. */
export function objectChecks(s: JsonSchema, v: string, path: Path, w: CodeWriter, seen: Set<JsonSchema>, checks: Recurse): void {
  const props = typeof s.properties === 'object' && s.properties !== null ? s.properties : {};
  const required = Array.isArray(s.required) ? s.required : [];
  const closed = s.additionalProperties === false;
  const extraSchema = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  const hasWork = Object.keys(props).length > 0 || required.length > 0 || closed || extraSchema || s.minProperties !== undefined || s.maxProperties !== undefined;
  if (!hasWork) return;
  w.line(`if (isObject(${v})) {`);
  if (required.length > 0) w.line(`checkRequired(out, ${v}, ${pathCode(path)}, ${q(required)});`);
  for (const [key, prop] of Object.entries(props)) {
    if (isScalarLeaf(prop)) {
      w.line(scalarCall(prop, `${v}[${q(key)}]`, pathCode(sub(path, key))));
      continue;
    }
    const child = w.fresh('v');
    const before = w.lines.length;
    w.line(`const ${child} = ${v}[${q(key)}];`);
    w.line(`if (${child} !== undefined) {`);
    const start = w.lines.length;
    checks(prop, child, sub(path, key), w, seen);
    if (w.lines.length === start) w.lines.length = before; // nothing to check: drop the binding
    else w.line('}');
  }
  const known = Object.keys(props);
  const patterns = Object.keys(s.patternProperties ?? {}).map(regexLiteral).filter((r): r is string => r !== undefined);
  if (closed) w.line(`checkClosed(out, ${v}, ${pathCode(path)}, ${q(known)}, [${patterns.join(', ')}]);`);
  else if (extraSchema) {
    const k = w.fresh('k');
    const isKnown = [...(known.length > 0 ? [`isOneOf(${k}, ${q(known)})`] : []), ...patterns.map((r) => `${r}.test(${k})`)].join(' || ') || 'false';
    w.line(`for (const ${k} of Object.keys(${v})) {`);
    w.line(`if (${isKnown}) continue;`);
    const child = w.fresh('v');
    w.line(`const ${child} = ${v}[${k}];`);
    checks(extraSchema, child, [...path, '/', { code: `escapeToken(${k})` }], w, seen);
    w.line('}');
  }
  const count = `Object.keys(${v}).length`;
  const here = pathCode(path);
  if (typeof s.minProperties === 'number') w.line(`if (${count} < ${s.minProperties}) fail(out, ${here}, 'minProperties', ${q(`must have at least ${s.minProperties} properties`)});`);
  if (typeof s.maxProperties === 'number') w.line(`if (${count} > ${s.maxProperties}) fail(out, ${here}, 'maxProperties', ${q(`must have at most ${s.maxProperties} properties`)});`);
  w.line('}');
}

/** `min/maxItems`, `uniqueItems` and `items` (each item checked with its index in the path). */
export function arrayChecks(s: JsonSchema, v: string, path: Path, w: CodeWriter, seen: Set<JsonSchema>, checks: Recurse): void {
  const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
  if (!items && s.minItems === undefined && s.maxItems === undefined && !s.uniqueItems) return;
  w.line(`if (Array.isArray(${v})) {`);
  const here = pathCode(path);
  if (typeof s.minItems === 'number') w.line(`if (${v}.length < ${s.minItems}) fail(out, ${here}, 'minItems', ${q(`must have at least ${s.minItems} items`)});`);
  if (typeof s.maxItems === 'number') w.line(`if (${v}.length > ${s.maxItems}) fail(out, ${here}, 'maxItems', ${q(`must have at most ${s.maxItems} items`)});`);
  if (s.uniqueItems === true) w.line(`if (new Set(${v}.map((x: unknown) => JSON.stringify(x))).size !== ${v}.length) fail(out, ${here}, 'uniqueItems', 'must not repeat items');`);
  if (items) {
    const i = w.fresh('i');
    const child = w.fresh('v');
    const before = w.lines.length;
    w.line(`for (let ${i} = 0; ${i} < ${v}.length; ${i}++) {`);
    w.line(`const ${child}: unknown = ${v}[${i}];`);
    const start = w.lines.length;
    checks(items, child, [...path, '/', { code: i }], w, seen);
    if (w.lines.length === start) w.lines.length = before;
    else w.line('}');
  }
  w.line('}');
}

