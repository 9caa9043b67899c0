import { SchemaRegistry } from '@tracklane/collector';

/**
 * Every schema of a source, as the collector reads it: an Iglu-layout directory
 * (`<vendor>/<name>/jsonschema/<M-R-A>[.json]`) or a `registry.json`. Loading through the
 * collector's registry means a set the collector refuses is refused here too, with its error.
 */
export function loadSchemas(source: string): Record<string, unknown>[] {
  const schemas: Record<string, unknown>[] = [];
  const registry = new SchemaRegistry();
  registry.onAdded((schema) => schemas.push(schema));
  registry.load(source);
  return schemas;
}
