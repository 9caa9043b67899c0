// @tracklane/schema: what a draft-04 schema means, in one place. The collector validates with this
// engine, the codegen refuses what it cannot load, and generated validators are compiled from it.
export { createSchemaEngine } from './internal/engine.js';
export type { SchemaEngine, SchemaEngineOptions } from './internal/engine.js';
export { compileSchema } from './internal/compile-schema.js';
export type { SchemaValidator, ValidationError } from './internal/compile-schema.js';
export { schemaProblems } from './internal/schema-problems.js';
export type { SchemaProblem } from './internal/schema-problems.js';
