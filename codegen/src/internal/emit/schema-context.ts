import type { JsonSchema } from '../load/types.js';

/** What a schema walk needs beyond the node itself: the document root (for `#/definitions` refs) and other schemas (for Iglu refs). */
export interface SchemaContext {
  readonly root: JsonSchema;
  /** Type name of another loaded schema, by Iglu URI `iglu:vendor/name/format/M-R-A`. */
  readonly igluTypes: ReadonlyMap<string, string>;
}

const IGLU_HTTP = /^https?:\/\/iglucentral\.com\/schemas\/([^/]+)\/([^/]+)\/([^/]+)\/(\d+-\d+-\d+)#?$/;

/** Resolves `$ref`: a local JSON pointer to a schema node, an Iglu reference to a type name, else nothing. */
export function resolveRef(ref: string, ctx: SchemaContext): { local: JsonSchema } | { iglu: string } | undefined {
  if (ref.startsWith('#')) {
    const node = resolvePointer(ctx.root, ref.slice(1));
    return node === undefined ? undefined : { local: node };
  }
  const iglu = IGLU_HTTP.exec(ref);
  const uri = iglu ? `iglu:${iglu[1]}/${iglu[2]}/${iglu[3]}/${iglu[4]}` : ref.startsWith('iglu:') ? ref.replace(/#$/, '') : undefined;
  const name = uri === undefined ? undefined : ctx.igluTypes.get(uri);
  return name === undefined ? undefined : { iglu: name };
}

/** Reads a JSON pointer (`/definitions/a~1b`) in a document. */
export function resolvePointer(doc: unknown, pointer: string): JsonSchema | undefined {
  if (pointer === '') return doc as JsonSchema;
  let node: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(token in node)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return typeof node === 'object' && node !== null ? (node as JsonSchema) : undefined;
}

/** Escapes one JSON pointer token. */
export function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The JSON types a node admits, from `type` or, when absent, from the keywords it uses. */
export function schemaTypes(schema: JsonSchema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
  if (schema.properties || schema.additionalProperties !== undefined || schema.patternProperties || schema.required) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

/** Whether the node only constrains its parent (`{"required": [...]}` inside `oneOf`) rather than describing a type. */
export function isConstraintOnly(schema: JsonSchema): boolean {
  return schema.type === undefined && !schema.properties && !schema.items && schema.enum === undefined
    && schema.const === undefined && schema.$ref === undefined && !schema.oneOf && !schema.anyOf && !schema.allOf
    && schema.additionalProperties === undefined && !schema.patternProperties;
}
