import type { PiiAction } from '@tracklane/core';
import type { SchemaVer } from '../schemaver.js';

/** A JSON Schema node as read from disk. Only the keywords the codegen reads are typed. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  title?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
  default?: unknown;
  /** Any other value is a load error (`x-pii` rule), so a loaded schema only holds these. */
  'x-pii'?: PiiAction;
  'x-tracklane'?: TracklaneMeta;
  [keyword: string]: unknown;
}

/** The `x-tracklane` extension keyword on a schema (docs/design.md). */
export interface TracklaneMeta {
  kind?: 'event' | 'entity';
  owner?: string;
  consent?: string;
  deprecated?: string;
}

/** One self-describing schema file, parsed and checked against its Iglu path. */
export interface LoadedSchema {
  /** Path of the file as found under the schema directory given. */
  readonly file: string;
  readonly vendor: string;
  readonly name: string;
  readonly format: string;
  readonly version: SchemaVer;
  /** `iglu:vendor/name/format/M-R-A` */
  readonly uri: string;
  readonly schema: JsonSchema;
  /** The file's text, for content hashes. */
  readonly source: string;
  readonly meta: TracklaneMeta;
}
