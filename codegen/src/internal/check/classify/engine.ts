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

/** Each version compiled once, whatever the number of pairs it is in (the previous and the next). */
const versions = new WeakMap<JsonSchema, Validate | null>();

function versionValidator(schema: JsonSchema): Validate | undefined {
  if (!versions.has(schema)) versions.set(schema, compile(createSchemaEngine({ allErrors: false }), bodyOf(schema)) ?? null);
  return versions.get(schema) ?? undefined;
}

/**
 * Judges values against two versions. A `$ref` to a schema outside the file (an Iglu URI) cannot
 * be resolved here, so it validates anything in both versions: a witness never rests on what such
 * a schema holds (the comparison reports a changed one as undecided). Versions and nodes are
 * compiled when first needed; a version that does not compile breaks nothing (the loader reports
 * why), so no witness can stand on it.
 */
export function witnessJudge(from: JsonSchema, to: JsonSchema): WitnessJudge {
  let engine: SchemaEngine | undefined;
  const nodes = new WeakMap<JsonSchema, Validate | null>();
  return {
    breaks(instance) {
      const before = versionValidator(from);
      const after = versionValidator(to);
      return before !== undefined && after !== undefined && before(instance) && !after(instance);
    },
    accepts(node, root, value) {
      engine ??= createSchemaEngine({ allErrors: false });
      if (!nodes.has(node)) nodes.set(node, compile(engine, { ...(withoutForeignRefs(node) as JsonSchema), definitions: withoutForeignRefs(root.definitions ?? {}) }) ?? null);
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

/** What the engine compiles of a version: the schema without `$schema` and `self`, Iglu refs as `{}`. */
export function bodyOf(schema: JsonSchema): Record<string, unknown> {
  const { $schema: _meta, self: _self, ...body } = schema;
  return withoutForeignRefs(body) as Record<string, unknown>;
}

function withoutForeignRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutForeignRefs);
  if (!isSchema(value)) return value;
  const ref = value.$ref;
  if (typeof ref === 'string' && !ref.startsWith('#') && !ref.startsWith(DRAFT_04)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, withoutForeignRefs(v)]));
}
