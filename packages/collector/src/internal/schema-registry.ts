import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { TracklaneError } from '@tracklane/core';
import { compileSchema, createSchemaEngine, declareSchema, igluSchemaId, type SchemaValidator, type ValidationError } from '@tracklane/schema';
import { allowPiiTransforms } from './pii-schema.js';

/** A compiled schema: validates data and names every violation by JSON pointer. */
export interface CompiledSchema {
  uri: string;
  validate(data: unknown, pointerPrefix: string): string[];
  /**
   * The first `maxErrors` violations, formatted as `validate` does, and how many there are in all:
   * data can break a schema 400,000 times (one unknown key each), and formatting them all would cost more than finding them.
   */
  violations(data: unknown, pointerPrefix: string, maxErrors: number): { errors: string[]; count: number };
  /** The first violation only (or none), found without looking for the others: for data too large to list them all. */
  firstViolation(data: unknown, pointerPrefix: string): string | undefined;
}

/** A schema copied and known to the engine under its Iglu address, not compiled yet. */
interface DeclaredSchema {
  schema: Record<string, unknown>;
  uri: string;
  body: Record<string, unknown>;
  origin: string;
}

/** Told of each schema `add()` compiled: the registry's own plain copy of it, and where it came from. */
export type SchemaAddedListener = (schema: Record<string, unknown>, origin: string) => void;

/**
 * The schemas events are validated against, compiled once at start. Loaded from an Iglu-layout
 * directory (`<vendor>/<name>/jsonschema/<M-R-A>[.json]`) or from the `registry.json` that
 * `tracklane docs` emits.
 */
export class SchemaRegistry {
  private readonly compiled = new Map<string, CompiledSchema>();
  /** The draft-04 semantics generated validators are compiled from too (@tracklane/schema). */
  private readonly engine = createSchemaEngine();
  /** The same semantics, stopping at the first violation (`firstViolation`): its validators are compiled when first used. */
  private readonly firstErrorEngine = createSchemaEngine({ allErrors: false });
  private readonly listeners = new Set<SchemaAddedListener>();

  get size(): number {
    return this.compiled.size;
  }

  get(uri: string): CompiledSchema | undefined {
    return this.compiled.get(uri);
  }

  /**
   * Calls `listener` with every schema added from now on (by `add()` or `load()`), once it has
   * compiled: a schema that fails to compile throws in `add()` and reaches no listener. Returns a
   * function that removes the listener.
   */
  onAdded(listener: SchemaAddedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Adds a self-describing JSON Schema; its `self` block gives its URI. The registry keeps its own
   * copy, so changing the object afterwards changes nothing; a schema that is not plain data (a
   * function, a symbol) is refused here, before anything is registered or sent to a worker.
   */
  add(given: Record<string, unknown>, origin: string): string {
    return this.compile(this.declare(given, origin));
  }

  /**
   * Copies a schema and makes it known under its Iglu address, so `$ref`s to it resolve
   * (`http://iglucentral.com/schemas/<vendor>/<name>/jsonschema/<version>`, as Iglu schemas refer to each other).
   */
  private declare(given: Record<string, unknown>, origin: string): DeclaredSchema {
    const schema = plainCopyOf(given, origin);
    const uri = uriOf(schema, origin);
    const { $schema: _meta, self: _self, ...body } = schema;
    const relaxed = allowPiiTransforms(body);
    declareSchema(this.engine, igluSchemaId(uri), relaxed);
    declareSchema(this.firstErrorEngine, igluSchemaId(uri), relaxed);
    return { schema, uri, body: relaxed, origin };
  }

  private compile({ schema, uri, body, origin }: DeclaredSchema): string {
    let validate: SchemaValidator;
    try {
      validate = compileSchema(body, this.engine, igluSchemaId(uri));
    } catch (error) {
      throw new TracklaneError('INVALID_SCHEMA', `${origin}: cannot compile ${uri}: ${(error as Error).message}`, { cause: error });
    }
    let firstError: SchemaValidator | undefined;
    this.compiled.set(uri, {
      uri,
      validate: (data, prefix) => (validate(data) ? [] : formatErrors(validate.errors ?? [], prefix)),
      violations: (data, prefix, maxErrors) => {
        if (validate(data)) return { errors: [], count: 0 };
        const errors = validate.errors ?? [];
        return { errors: formatErrors(errors.slice(0, maxErrors), prefix), count: errors.length };
      },
      firstViolation: (data, prefix) => {
        // It compiled in the other engine: it compiles here too.
        firstError ??= compileSchema(body, this.firstErrorEngine, igluSchemaId(uri));
        return firstError(data) ? undefined : formatErrors((firstError.errors ?? []).slice(0, 1), prefix)[0];
      },
    });
    for (const listener of this.listeners) listener(schema, origin);
    return uri;
  }

  /**
   * Loads every schema under `source`: a directory in Iglu layout, or a `registry.json` file. All
   * are declared before any is compiled, so a `$ref` to another schema of the source resolves
   * whatever the order of the files.
   */
  load(source: string): this {
    const stat = statSync(source, { throwIfNoEntry: false });
    if (!stat) throw new TracklaneError('INVALID_CONFIG', `schema source not found: ${source}`);
    const entries: [string, Record<string, unknown>][] = stat.isDirectory()
      ? schemaFiles(source).map((file) => [file, readJson(file)])
      : registryEntries(readJson(source), source);
    const declared = entries.map(([origin, schema]) => this.declare(schema, origin));
    for (const schema of declared) this.compile(schema);
    return this;
  }
}

function plainCopyOf(schema: Record<string, unknown>, origin: string): Record<string, unknown> {
  try {
    return structuredClone(schema);
  } catch (error) {
    throw new TracklaneError('INVALID_SCHEMA', `${origin}: a schema must be plain JSON data: ${(error as Error).message}`, { cause: error });
  }
}

function uriOf(schema: Record<string, unknown>, origin: string): string {
  const self = schema.self as Record<string, unknown> | undefined;
  const parts = [self?.vendor, self?.name, self?.format, self?.version];
  if (!parts.every((p) => typeof p === 'string' && p !== '')) {
    throw new TracklaneError('INVALID_SCHEMA', `${origin}: not a self-describing schema (missing self.vendor/name/format/version)`);
  }
  return `iglu:${parts.join('/')}`;
}

function formatErrors(errors: readonly ValidationError[], prefix: string): string[] {
  return errors.map((e) => {
    const where = `${prefix}${e.instancePath}` || '/';
    const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : '';
    return `${where}: ${e.message ?? e.keyword}${extra}`;
  });
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new TracklaneError('INVALID_SCHEMA', `${file}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Files at `<vendor>/<name>/<format>/<M-R-A>` or `...<M-R-A>.json` below `root`. */
function schemaFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      else if (/^\d+-\d+-\d+(\.json)?$/.test(entry.name)) files.push(full);
    }
  };
  walk(root, 0);
  return files;
}

/** Accepts `{schemas: [{schema: {...}}...]}`, `{schemas: {"iglu:...": {...}}}` or a bare array. */
function registryEntries(registry: unknown, file: string): [string, Record<string, unknown>][] {
  const list = Array.isArray(registry) ? registry : (registry as { schemas?: unknown }).schemas;
  const items = Array.isArray(list) ? list : typeof list === 'object' && list !== null ? Object.values(list) : undefined;
  if (!items) throw new TracklaneError('INVALID_SCHEMA', `${file}: expected a registry with a "schemas" list`);
  return items.map((item: unknown, index) => {
    const record = item as Record<string, unknown>;
    const schema = (typeof record.schema === 'object' && record.schema !== null ? record.schema : record) as Record<string, unknown>;
    return [`${file}#/schemas/${index}`, schema];
  });
}
