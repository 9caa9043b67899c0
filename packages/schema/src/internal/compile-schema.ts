import type { ErrorObject } from 'ajv';
import { TracklaneError } from '@tracklane/core';
import { createSchemaEngine, type SchemaEngine } from './engine.js';
import { loadSchema } from './schema-problems.js';

/** A violation as ajv reports it: `instancePath` is the JSON pointer into the data. */
export type ValidationError = ErrorObject;

/** Validates data against one compiled schema; after a call, `errors` holds its violations (null when valid). */
export interface SchemaValidator {
  (data: unknown): boolean;
  readonly errors?: ValidationError[] | null;
}

/**
 * Compiles a draft-04 schema body (a schema without its Iglu `$schema` and `self`) into a
 * validator. Throws a `TracklaneError` with code `INVALID_SCHEMA` naming the pointer and rule of
 * every problem when the schema cannot be loaded (see `schemaProblems`).
 * @param engine the engine to compile in (its formats and options); default: a new one
 * @param id the id the schema was declared under (`declareSchema`); default: none
 */
export function compileSchema(body: Record<string, unknown>, engine: SchemaEngine = createSchemaEngine(), id?: string): SchemaValidator {
  const { validate, problems } = loadSchema(body, engine, id);
  if (validate === undefined) {
    const text = problems.map((p) => `${p.pointer || '/'}: ${p.message} [${p.rule}]`).join('; ');
    throw new TracklaneError('INVALID_SCHEMA', `not a loadable draft-04 schema: ${text}`);
  }
  return validate;
}
