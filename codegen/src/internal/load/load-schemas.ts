import { existsSync, readFileSync, statSync } from 'node:fs';
import { CodegenError, CodegenErrorCode } from '../../errors.js';
import { parseSchemaVer } from '../schemaver.js';
import type { JsonSchema, LoadedSchema, TracklaneMeta } from './types.js';
import { walkIglu, type IgluFile } from './walk.js';

/** What loading found: usable schemas, errors (each naming its file) and files skipped on purpose. */
export interface LoadResult {
  schemas: LoadedSchema[];
  errors: CodegenError[];
  /** Files in another format than `jsonschema` (avro, thrift...): not code-generated. */
  skipped: { file: string; reason: string }[];
}

/** Reads every schema under the given directories. Never throws for a bad file: it reports it. */
export function loadSchemas(dirs: readonly string[]): LoadResult {
  const result: LoadResult = { schemas: [], errors: [], skipped: [] };
  const byUri = new Map<string, string>();
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      result.errors.push(new CodegenError(CodegenErrorCode.SCHEMA_DIR, `schema directory not found: ${dir}`, { file: dir, pointer: '', rule: 'schema-dir' }));
      continue;
    }
    for (const found of walkIglu(dir)) {
      if (found.format !== 'jsonschema') {
        result.skipped.push({ file: found.file, reason: `format ${found.format} is not jsonschema` });
        continue;
      }
      const loaded = loadOne(found, result.errors);
      if (!loaded) continue;
      const previous = byUri.get(loaded.uri);
      if (previous !== undefined) {
        result.errors.push(new CodegenError(CodegenErrorCode.SCHEMA_DUPLICATE, `${loaded.uri} is also defined in ${previous}`, { file: loaded.file, pointer: '/self', rule: 'iglu-layout' }));
        continue;
      }
      byUri.set(loaded.uri, loaded.file);
      result.schemas.push(loaded);
    }
  }
  return result;
}

function loadOne(found: IgluFile, errors: CodegenError[]): LoadedSchema | undefined {
  const { file } = found;
  const source = readFileSync(file, 'utf8');
  let schema: JsonSchema;
  try {
    schema = JSON.parse(source) as JsonSchema;
  } catch (cause) {
    errors.push(new CodegenError(CodegenErrorCode.SCHEMA_PARSE, `invalid JSON: ${(cause as Error).message}`, { file, pointer: '', rule: 'valid-json' }, { cause }));
    return undefined;
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    errors.push(new CodegenError(CodegenErrorCode.SCHEMA_PARSE, 'a schema must be a JSON object', { file, pointer: '', rule: 'valid-json' }));
    return undefined;
  }
  const self = schema['self'] as Record<string, unknown> | undefined;
  if (typeof self !== 'object' || self === null) {
    errors.push(new CodegenError(CodegenErrorCode.SCHEMA_SELF, 'missing "self": {vendor, name, format, version}', { file, pointer: '/self', rule: 'iglu-layout' }));
    return undefined;
  }
  const expected: Record<string, string> = { vendor: found.vendor, name: found.name, format: found.format, version: found.version };
  for (const key of ['vendor', 'name', 'format', 'version']) {
    if (self[key] !== expected[key]) {
      const message = `self.${key} is ${JSON.stringify(self[key])} but the Iglu path says ${JSON.stringify(expected[key])}`;
      errors.push(new CodegenError(CodegenErrorCode.SCHEMA_SELF, message, { file, pointer: `/self/${key}`, rule: 'iglu-layout' }));
      return undefined;
    }
  }
  const version = parseSchemaVer(found.version);
  if (!version) {
    errors.push(new CodegenError(CodegenErrorCode.SCHEMA_SELF, `version ${found.version} is not SchemaVer MODEL-REVISION-ADDITION with MODEL >= 1`, { file, pointer: '/self/version', rule: 'iglu-layout' }));
    return undefined;
  }
  const meta = readMeta(schema, file, errors);
  const uri = `iglu:${found.vendor}/${found.name}/${found.format}/${found.version}`;
  return { file, vendor: found.vendor, name: found.name, format: found.format, version, uri, schema, source, meta };
}

const KINDS = new Set(['event', 'entity']);

function readMeta(schema: JsonSchema, file: string, errors: CodegenError[]): TracklaneMeta {
  const raw = schema['x-tracklane'];
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push(new CodegenError(CodegenErrorCode.SCHEMA_SELF, '"x-tracklane" must be an object', { file, pointer: '/x-tracklane', rule: 'x-tracklane' }));
    return {};
  }
  const meta: TracklaneMeta = { ...raw };
  if (meta.kind !== undefined && !KINDS.has(meta.kind)) {
    errors.push(new CodegenError(CodegenErrorCode.SCHEMA_SELF, `x-tracklane.kind must be "event" or "entity", not ${JSON.stringify(meta.kind)}`, { file, pointer: '/x-tracklane/kind', rule: 'x-tracklane' }));
  }
  return meta;
}
