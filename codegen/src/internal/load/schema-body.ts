import type { JsonSchema } from './types.js';

/** What the collector compiles of a self-describing schema: all of it but `$schema` and `self`. */
export function schemaBody(schema: JsonSchema): Record<string, unknown> {
  const { $schema: _meta, self: _self, ...body } = schema;
  return body;
}
