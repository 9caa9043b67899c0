import type { SchemaRegistry } from './schema-registry.js';

/**
 * The schemas Snowplow's enrichment names its built-in tracker-protocol events by (`event_vendor`,
 * `event_name`, `event_format`, `event_version` of an enriched event): page views, page pings and
 * structured events. They are in no Iglu repository, so the collector ships them: tp2 payloads of
 * these types become envelopes of these schemas and are validated like any other event.
 */
export const PAGE_VIEW_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/page_view/jsonschema/1-0-0';
export const PAGE_PING_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/page_ping/jsonschema/1-0-0';
export const STRUCTURED_EVENT_SCHEMA = 'iglu:com.google.analytics/event/jsonschema/1-0-0';

/** Where a built-in schema comes from, in errors and in `SchemaRegistry.onAdded`. */
export const BUILT_IN_ORIGIN = 'built-in (@tracklane/collector)';

const META = 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#';

// Enrich reads scroll offsets into 32-bit integers (pp_mix → pp_xoffset_min, ...).
const offset = (description: string) => ({ description, type: 'integer', minimum: -2147483648, maximum: 2147483647 });

const self = (uri: string) => {
  const [vendor, name, format, version] = uri.slice('iglu:'.length).split('/');
  return { vendor, name, format, version };
};

/** Self-describing JSON Schemas (draft-04, Iglu layout), as the registry loads any other. */
export const SNOWPLOW_SCHEMAS: readonly Record<string, unknown>[] = [
  {
    $schema: META,
    description: "A Snowplow page view (tracker protocol e=pv). Its page's url, title and referrer are the envelope's page fields.",
    self: self(PAGE_VIEW_SCHEMA),
    type: 'object',
    properties: {},
    additionalProperties: false,
  },
  {
    $schema: META,
    description: "A Snowplow page ping (e=pp): the scroll offsets reached since the last ping. The page is the envelope's page fields.",
    self: self(PAGE_PING_SCHEMA),
    type: 'object',
    properties: {
      minXOffset: offset('pp_mix'),
      maxXOffset: offset('pp_max'),
      minYOffset: offset('pp_miy'),
      maxYOffset: offset('pp_may'),
    },
    additionalProperties: false,
  },
  {
    $schema: META,
    description: 'A Snowplow structured event (e=se). Lengths are those of the se_* columns of Snowplow\'s atomic events.',
    self: self(STRUCTURED_EVENT_SCHEMA),
    type: 'object',
    properties: {
      category: { description: 'se_ca', type: 'string', maxLength: 1000 },
      action: { description: 'se_ac', type: 'string', maxLength: 1000 },
      label: { description: 'se_la', type: 'string', maxLength: 4096 },
      property: { description: 'se_pr', type: 'string', maxLength: 1000 },
      value: { description: 'se_va', type: 'number' },
    },
    // Snowplow's trackers require a category and an action.
    required: ['category', 'action'],
    additionalProperties: false,
  },
];

/**
 * Adds the built-in schemas. Call it before loading the user's sources, so a schema of the same URI
 * there (an Iglu repository that has its own copy) replaces the built-in one.
 */
export function addSnowplowSchemas(registry: SchemaRegistry): void {
  for (const schema of SNOWPLOW_SCHEMAS) registry.add(schema, BUILT_IN_ORIGIN);
}
