import { createSchemaEngine, type SchemaEngine } from '@tracklane/schema';
import type { JsonSchema } from '../../load/types.js';
import { isSchema } from './schema-nodes.js';

/** Checks values against both versions with the collector's engine (ajv, draft-04). */
export interface WitnessJudge {
  /** Valid under the old version and invalid under the new one: a witness that the change breaks data. */
  breaks(instance: unknown): boolean;
  /**
   * Whether one node of a version accepts a value (its root's definitions in scope), or
   * undefined when the node cannot be compiled alone.
   */
  accepts(node: JsonSchema, root: JsonSchema, value: unknown): boolean | undefined;
}

type Validate = (value: unknown) => boolean;
const DRAFT_04 = 'http://json-schema.org/draft-04/schema';

/**
 * Which way a version leans where it names another schema (an Iglu `$ref`), which this check does
 * not read: the old version takes nothing there and the new one anything. A witness valid under
 * the strict old and invalid under the lenient new is then valid under the real old and invalid
 * under the real new, whatever the other schema holds.
 */
export type Side = 'old' | 'new';
const FOREIGN: Record<Side, JsonSchema> = { old: { not: {} }, new: {} };

/** Each version compiled once per side, whatever the number of pairs it is in. */
const versions: Record<Side, WeakMap<JsonSchema, Validate | null>> = { old: new WeakMap(), new: new WeakMap() };

function versionValidator(schema: JsonSchema, side: Side): Validate | undefined {
  const cache = versions[side];
  if (!cache.has(schema)) cache.set(schema, compile(createSchemaEngine({ allErrors: false }), bodyOf(schema, side)) ?? null);
  return cache.get(schema) ?? undefined;
}

/**
 * Judges values against two versions, each compiled when first needed. A version that does not
 * compile breaks nothing (the loader reports why), so no witness can stand on it.
 */
export function witnessJudge(from: JsonSchema, to: JsonSchema): WitnessJudge {
  let engine: SchemaEngine | undefined;
  const nodes = new WeakMap<JsonSchema, Validate | null>();
  return {
    breaks(instance) {
      const before = versionValidator(from, 'old');
      const after = versionValidator(to, 'new');
      return before !== undefined && after !== undefined && before(instance) && !after(instance);
    },
    accepts(node, root, value) {
      engine ??= createSchemaEngine({ allErrors: false });
      // A node that names another schema cannot be judged alone: the rules decide without it.
      if (!nodes.has(node)) nodes.set(node, hasForeignRef(node) || hasForeignRef(root.definitions) ? null : compile(engine, { ...node, definitions: root.definitions ?? {} }) ?? null);
      const validate = nodes.get(node);
      return validate ? validate(value) : undefined;
    },
  };
}

function compile(engine: SchemaEngine, body: unknown): Validate | undefined {
  try {
    const validate = engine.compile(body as Record<string, unknown>);
    return (value) => validate(value);
  } catch {
    return undefined;
  }
}

/** What the engine compiles of a version: the schema without `$schema` and `self`, Iglu refs leaning to `side`. */
export function bodyOf(schema: JsonSchema, side: Side): Record<string, unknown> {
  const { $schema: _meta, self: _self, ...body } = schema;
  return replaceForeignRefs(body, FOREIGN[side]) as Record<string, unknown>;
}

function isForeign(ref: unknown): boolean {
  return typeof ref === 'string' && !ref.startsWith('#') && !ref.startsWith(DRAFT_04);
}

function hasForeignRef(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasForeignRef);
  return isSchema(value) && (isForeign(value.$ref) || Object.values(value).some(hasForeignRef));
}

function replaceForeignRefs(value: unknown, by: JsonSchema): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceForeignRefs(v, by));
  if (!isSchema(value)) return value;
  if (isForeign(value.$ref)) return by;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, replaceForeignRefs(v, by)]));
}
