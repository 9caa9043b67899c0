import { resolveRef, schemaTypes, type SchemaContext } from '../emit/schema-context.js';
import type { JsonSchema } from '../load/types.js';
import { CodeWriter, pathCode, q, type Path } from './code-writer.js';
import { arrayChecks, objectChecks } from './compile-containers.js';
import { isScalarLeaf, scalarCall } from './compile-scalars.js';

/** The body of `validateX(data: unknown): Violation[]` for a schema. */
export function compileValidator(schema: JsonSchema, ctx: SchemaContext): string {
  const w = new CodeWriter(ctx);
  w.line('const out: Violation[] = [];');
  checks(schema, 'data', [], w, new Set());
  w.line('return out;');
  return w.lines.join('\n');
}

/**
 * Emits the checks of `schema` on the value in variable `v`, whose JSON pointer is `path`:
 * objects and arrays as code that walks the data, scalar leaves as one `checkScalar` call.
 */
function checks(schema: JsonSchema | boolean | undefined, v: string, path: Path, w: CodeWriter, seen: Set<JsonSchema>): void {
  if (typeof schema !== 'object' || schema === null) {
    if (schema === false) w.line(`fail(out, ${pathCode(path)}, 'false', 'no value is allowed here');`);
    return;
  }
  if (isScalarLeaf(schema)) return void w.line(scalarCall(schema, v, pathCode(path)));
  if (seen.has(schema)) return; // recursive $ref: not checked deeper
  seen.add(schema);
  const fail = (keyword: string, message: string): string => `{ fail(out, ${pathCode(path)}, ${q(keyword)}, ${q(message)}); }`;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(schema.$ref, w.ctx);
    if (target && 'local' in target) checks(target.local, v, path, w, seen);
    // Another schema of the set: its own validator, with its violations moved under this path.
    else if (target) w.line(`for (const x of validate${target.iglu}(${v})) fail(out, ${pathCode(path)} + x.path, x.keyword, x.message);`);
  }
  const types = typeof schema.type === 'string' || Array.isArray(schema.type) ? schemaTypes(schema) : [];
  // Container or mixed nodes: the type, enum and scalar rules through the same runtime helper.
  const { properties: _p, items: _i, required: _r, additionalProperties: _a, patternProperties: _pp, allOf: _all, anyOf: _any, oneOf: _one, $ref: _ref, ...own } = schema;
  if (types.length > 0 || own.enum !== undefined || own.const !== undefined) w.line(scalarCall({ ...own, type: types }, v, pathCode(path)));
  objectChecks(schema, v, path, w, seen, checks);
  arrayChecks(schema, v, path, w, seen, checks);
  for (const branch of schema.allOf ?? []) checks(branch, v, path, w, seen);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches) || branches.length === 0) continue;
    const fns = branches.map((branch) => {
      const inner = new CodeWriter(w.ctx);
      inner.line('const out: Violation[] = [];');
      checks(branch, 'b', [], inner, new Set(seen));
      inner.line('return out;');
      return `(b: unknown): Violation[] => {\n${inner.lines.join('\n')}\n}`;
    });
    const n = w.fresh('n');
    w.line(`const ${n} = countValid(${v}, [${fns.join(', ')}]);`);
    w.line(key === 'anyOf' ? `if (${n} === 0) ${fail('anyOf', 'must match at least one of the allowed shapes')}` : `if (${n} !== 1) ${fail('oneOf', 'must match exactly one of the allowed shapes')}`);
  }
  seen.delete(schema);
}
