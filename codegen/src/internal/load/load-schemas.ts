import { existsSync, readFileSync, statSync } from 'node:fs';
import { createSchemaEngine, declareSchema, igluSchemaId, schemaProblems } from '@tracklane/schema';
import { CodegenError, CodegenErrorCode } from '../../errors.js';
import { parseSchemaVer } from '../schemaver.js';
import { checkPiiMarks } from './pii-marks.js';
import { schemaBody } from './schema-body.js';
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
  result.schemas = loadable(result.schemas, result.errors);
  return result;
}

/**
 * The schemas the collector can load, compiled as its registry compiles them (@tracklane/schema's
 * engine, every schema known under its Iglu address first); each problem of the others is an error
 * with its file, pointer and rule.
 */
function loadable(schemas: readonly LoadedSchema[], errors: CodegenError[]): LoadedSchema[] {
  const engine = createSchemaEngine();
  const bodies = schemas.map((schema) => schemaBody(schema.schema));
  schemas.forEach((schema, i) => declareSchema(engine, igluSchemaId(schema.uri), bodies[i]!));
  return schemas.filter((schema, i) => {
    const problems = schemaProblems(bodies[i]!, engine, igluSchemaId(schema.uri));
    for (const problem of problems) {
      const message = `the collector cannot load this schema: ${problem.message}`;
      errors.push(new CodegenError(CodegenErrorCode.SCHEMA_INVALID, message, { file: schema.file, pointer: problem.pointer, rule: problem.rule }));
    }
    return problems.length === 0;
  });
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
  errors.push(...checkPiiMarks(schema, file));
  const uri = `iglu:${found.vendor}/${found.name}/${found.format}/${found.version}`;
  return { file, vendor: found.vendor, name: found.name, format: found.format, version, uri, schema, source, meta };
}

const KINDS = new Set(['event', 'entity']);
/** The keys of `x-tracklane` (docs/design.md); every one but `kind` is free text. */
const META_KEYS = new Set(['kind', 'owner', 'consent', 'deprecated']);

/**
 * Reads `x-tracklane`, keeping only valid entries. An unknown key is an error, not ignored:
 * `"consnet": "marketing"` would otherwise put the event under the tracker's default purpose.
 */
function readMeta(schema: JsonSchema, file: string, errors: CodegenError[]): TracklaneMeta {
  const raw = schema['x-tracklane'] as unknown;
  if (raw === undefined) return {};
  const fail = (pointer: string, message: string): void => void errors.push(new CodegenError(CodegenErrorCode.SCHEMA_EXTENSION, message, { file, pointer, rule: 'x-tracklane' }));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('/x-tracklane', '"x-tracklane" must be an object');
    return {};
  }
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const problem = metaProblem(key, value);
    if (problem === undefined) meta[key] = value;
    else fail(`/x-tracklane/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, problem);
  }
  return meta; // only entries metaProblem accepted
}

/** Why one `x-tracklane` entry is invalid, or nothing when it is valid. */
function metaProblem(key: string, value: unknown): string | undefined {
  if (!META_KEYS.has(key)) return `x-tracklane has no key ${JSON.stringify(key)} (kind, owner, consent or deprecated)`;
  if (key === 'kind') return KINDS.has(value as string) ? undefined : `x-tracklane.kind must be "event" or "entity", not ${JSON.stringify(value)}`;
  return typeof value === 'string' && value.trim() !== '' ? undefined : `x-tracklane.${key} must be a non-empty string, not ${JSON.stringify(value)}`;
}
