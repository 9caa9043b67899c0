import standaloneModule from 'ajv/dist/standalone/index.js';
import type { SchemaEngine } from './engine.js';

// CommonJS: under Node's ESM interop the default import is module.exports, whose `default` is the export.
const standaloneCode = standaloneModule.default;

/**
 * The source of validators compiled in a `standalone` engine, as one ES module: `export const
 * <name> = validateN;` for each entry of `exports` (export name -> the id the schema was declared
 * under). Values the validators share (regular expressions, runtime helpers, formats) are declared
 * once. ajv's runtime helpers are `require("ajv/dist/runtime/<name>").default` and formats
 * `FORMATS_PLACEHOLDER["<name>"]`: the caller replaces both.
 */
export function standaloneSource(engine: SchemaEngine, exports: Readonly<Record<string, string>>): string {
  return standaloneCode(engine, { ...exports });
}
