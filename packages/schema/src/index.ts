// @tracklane/schema: what a draft-04 schema means, in one place. The collector validates with this
// engine, the codegen refuses what it cannot load, and generated validators are compiled from it.
export { FORMATS_PLACEHOLDER, createSchemaEngine } from './internal/engine.js';
export { FORMATS, UNCHECKED_FORMATS } from './internal/formats.js';
export type { FormatCheck } from './internal/formats.js';
export { standaloneSource } from './internal/standalone.js';
export type { SchemaEngine, SchemaEngineOptions } from './internal/engine.js';
export { compileSchema } from './internal/compile-schema.js';
export type { SchemaValidator, ValidationError } from './internal/compile-schema.js';
export { declareSchema, igluSchemaId, schemaProblems } from './internal/schema-problems.js';
export type { SchemaProblem } from './internal/schema-problems.js';
