import { SchemaRegistry } from './schema-registry.js';
import { addSnowplowSchemas } from './snowplow-schemas.js';

/**
 * The registry the collector validates with: the built-in Snowplow schemas first, then each source
 * of `schemas` in order (CollectorOptions.schemas). The main thread and every validation worker
 * build theirs here, so they hold the same schemas, added in the same order.
 */
export function bootstrapRegistry(schemas: readonly string[]): SchemaRegistry {
  const registry = new SchemaRegistry();
  addSnowplowSchemas(registry);
  for (const source of schemas) registry.load(source);
  return registry;
}
