import type { ErrorObject } from 'ajv';
import type { SchemaEngine } from './engine.js';
import type { SchemaValidator } from './compile-schema.js';
import { draft4Body } from './draft4-body.js';

/** Why a schema cannot be loaded: where in the schema (JSON pointer), which rule, and why. */
export interface SchemaProblem {
  /** JSON pointer into the schema body, `''` for the whole schema. */
  pointer: string;
  /**
   * `json-schema`: the body is not a valid draft-04 schema (its meta-schema refuses it);
   * `pattern`: a regular expression that JavaScript cannot compile with the `u` flag (ajv's);
   * `ref`: a `$ref` that resolves to no schema the engine knows.
   */
  rule: 'json-schema' | 'pattern' | 'ref';
  message: string;
}

/**
 * Every reason the engine cannot load a draft-04 schema body (a schema without its Iglu `$schema`
 * and `self`): empty when the collector can validate with it. Compiles it on success, so a later
 * `engine.compile(body)` of the same body is a cache hit.
 */
export function schemaProblems(body: Record<string, unknown>, engine: SchemaEngine, id?: string): SchemaProblem[] {
  return loadSchema(body, engine, id).problems;
}

/**
 * The validator of a loadable schema, or the problems of one that is not. With `id`, the schema is
 * compiled as the one declared under that id (see `declareSchema`), and withdrawn when it has problems.
 */
export function loadSchema(body: Record<string, unknown>, engine: SchemaEngine, id?: string): { validate?: SchemaValidator; problems: SchemaProblem[] } {
  const withdraw = (): void => void (id !== undefined && engine.removeSchema(id));
  // Both at once, so one run names every mistake of the kind a person makes by hand.
  const problems = [...(engine.validateSchema(body) ? [] : metaProblems(engine.errors ?? [])), ...patternProblems(body)];
  if (problems.length > 0) {
    withdraw();
    return { problems };
  }
  try {
    const validate = id === undefined ? engine.compile(draft4Body(body)) : engine.getSchema(id);
    if (validate === undefined) throw new Error(`internal: no schema declared as ${id}`);
    return { validate, problems: [] };
  } catch (error) {
    withdraw();
    const missing = (error as { missingRef?: unknown }).missingRef;
    const pointer = typeof missing === 'string' ? refPointer(body, missing) : '';
    return { problems: [{ pointer, rule: typeof missing === 'string' ? 'ref' : 'json-schema', message: (error as Error).message }] };
  }
}

/**
 * Makes a schema known to the engine under `id` before it is compiled, so `$ref`s to it resolve
 * from schemas compiled later or earlier in the same batch (Iglu schemas refer to each other by
 * their `http://iglucentral.com/schemas/...` address, see `igluSchemaId`). Replaces a schema
 * declared under the same id. Compile it with `compileSchema(body, engine, id)`.
 */
export function declareSchema(engine: SchemaEngine, id: string, body: Record<string, unknown>): void {
  engine.removeSchema(id);
  // Checked against the meta-schema when compiled, where a problem is reported with its pointer.
  engine.addSchema(draft4Body(body), id, undefined, false);
}

/** The address Iglu schemas `$ref` another by: `http://iglucentral.com/schemas/<vendor>/<name>/<format>/<version>`. */
export function igluSchemaId(uri: string): string {
  return `http://iglucentral.com/schemas/${uri.replace(/^iglu:/, '')}`;
}

/** One problem per pointer: the meta-schema reports one mistake several times (each branch of an anyOf). */
function metaProblems(errors: readonly ErrorObject[]): SchemaProblem[] {
  const byPointer = new Map<string, string[]>();
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue; // says no more than its branches
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
    const message = `${error.message ?? error.keyword}${allowed ? ` (${allowed.map((v) => JSON.stringify(v)).join(', ')})` : ''}`;
    const messages = byPointer.get(error.instancePath) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byPointer.set(error.instancePath, messages);
  }
  if (byPointer.size === 0) for (const error of errors) byPointer.set(error.instancePath, [error.message ?? error.keyword]);
  return [...byPointer].map(([pointer, messages]) => ({ pointer, rule: 'json-schema', message: `not a valid draft-04 schema here: ${messages.join(' or ')}` }));
}

/** Keywords whose value is a subschema, a list of them, or a map of them. */
const ONE = ['additionalItems', 'additionalProperties', 'not', 'items'];
const LIST = ['allOf', 'anyOf', 'oneOf', 'items'];
const MAP = ['properties', 'patternProperties', 'definitions', 'dependencies'];

/** Calls `visit` on every subschema of a (meta-schema valid) draft-04 schema with its pointer. */
export function eachSubschema(schema: unknown, pointer: string, visit: (node: Record<string, unknown>, pointer: string) => void): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return;
  const node = schema as Record<string, unknown>;
  visit(node, pointer);
  for (const key of ONE) if (typeof node[key] === 'object' && !Array.isArray(node[key])) eachSubschema(node[key], `${pointer}/${key}`, visit);
  for (const key of LIST) if (Array.isArray(node[key])) (node[key] as unknown[]).forEach((sub, i) => eachSubschema(sub, `${pointer}/${key}/${i}`, visit));
  for (const key of MAP) {
    const map = node[key];
    if (typeof map !== 'object' || map === null) continue;
    for (const [name, sub] of Object.entries(map)) eachSubschema(sub, `${pointer}/${key}/${token(name)}`, visit);
  }
}

/** ajv compiles `pattern` and `patternProperties` with the `u` flag: what it cannot compile, the collector cannot load. */
function patternProblems(body: Record<string, unknown>): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const check = (source: string, pointer: string): void => {
    try {
      new RegExp(source, 'u');
    } catch (error) {
      problems.push({ pointer, rule: 'pattern', message: `not a regular expression JavaScript compiles with the u flag: ${(error as Error).message}` });
    }
  };
  eachSubschema(body, '', (node, pointer) => {
    if (typeof node.pattern === 'string') check(node.pattern, `${pointer}/pattern`);
    const patterns = node.patternProperties;
    if (typeof patterns === 'object' && patterns !== null) for (const key of Object.keys(patterns)) check(key, `${pointer}/patternProperties/${token(key)}`);
  });
  return problems;
}

/** The pointer of the first `$ref` that names `missing` (as written or resolved), else the whole schema. */
function refPointer(body: Record<string, unknown>, missing: string): string {
  let found: string | undefined;
  eachSubschema(body, '', (node, pointer) => {
    if (found === undefined && typeof node.$ref === 'string' && (node.$ref === missing || missing.endsWith(node.$ref.replace(/#$/, '')))) found = `${pointer}/$ref`;
  });
  return found ?? '';
}

function token(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
