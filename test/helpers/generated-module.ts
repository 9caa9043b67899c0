import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createContext, runInContext } from 'node:vm';
import * as core from '@tracklane/core';
import ts from 'typescript';

const META = 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#';

/** One schema to write: its Iglu URI parts and its JSON Schema body. */
export interface IgluSchema {
  vendor: string;
  name: string;
  body: Record<string, unknown>;
}

/** The self-describing form of a body at version 1-0-0, as a file in an Iglu repository holds it. */
export function selfDescribing({ vendor, name, body }: IgluSchema): Record<string, unknown> {
  return { $schema: META, self: { vendor, name, format: 'jsonschema', version: '1-0-0' }, ...body };
}

/** Writes the schemas into a fresh Iglu-layout directory (version 1-0-0) and returns it. */
export function igluDir(schemas: readonly IgluSchema[]): string {
  const root = path.join(tmpdir(), 'tracklane-e2e');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, 'schemas-'));
  for (const schema of schemas) {
    const folder = path.join(dir, schema.vendor, schema.name, 'jsonschema');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, '1-0-0'), JSON.stringify(selfDescribing(schema)));
  }
  return dir;
}

/**
 * Runs a module `tracklane generate` emitted where a strict Content-Security-Policy would put it: in
 * a context where eval and new Function throw. Its only import, @tracklane/core, is the real one.
 */
export function loadGeneratedModule(code: string): Record<string, unknown> {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: Record<string, unknown> = {};
  const require = (id: string): unknown => {
    if (id !== '@tracklane/core') throw new Error(`generated code imports ${id}`);
    return core;
  };
  runInContext(js, createContext({ exports, require, console }, { codeGeneration: { strings: false, wasm: false } }));
  return exports;
}
