import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SchemaRegistry } from '@tracklane/collector';
import { generate } from '@tracklane/codegen';
import { igluDir, loadGeneratedModule, type IgluSchema } from '../helpers/generated-module.js';

/** The draft-04 JSON Schema Test Suite, vendored (its README names the commit). */
const SUITE = path.join(import.meta.dirname, '../corpora/json-schema-test-suite');

/** One test group of the suite: a schema and instances with the verdict the specification gives. */
export interface SuiteGroup {
  /** `optional/format/email.json`... relative to tests/draft4. */
  file: string;
  description: string;
  schema: Record<string, unknown>;
  tests: { description: string; data: unknown; valid: boolean }[];
}

export function suiteGroups(): SuiteGroup[] {
  const dir = path.join(SUITE, 'tests/draft4');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).sort();
  return files.flatMap((file) => (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<SuiteGroup, 'file'>[]).map((group) => ({ file, ...group })));
}

/** The suite's remotes (served at http://localhost:1234/ in the suite's own runner) as Iglu schemas whose `id` is that address. */
function remoteSchemas(): IgluSchema[] {
  const dir = path.join(SUITE, 'remotes');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).sort().map((file) => ({
    vendor: 'org.json-schema.remote',
    name: file.replace(/\.json$/, '').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase(),
    body: { id: `http://localhost:1234/${file}`, ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>) },
  }));
}

/** Valid or not, for one instance: the generated validator and the collector each give one. */
export type Verdicts = (data: unknown) => { client: boolean; collector: boolean };

/**
 * A group's schema as an Iglu schema, with the remotes when it refers to them: generated with
 * `--validators always` and loaded CSP-safe, and added to a collector registry.
 */
export function verdictsFor(schema: Record<string, unknown>, name: string): Verdicts {
  const own: IgluSchema = { vendor: 'org.json-schema.suite', name, body: schema };
  const remote = JSON.stringify(schema).includes('localhost:1234') ? remoteSchemas() : [];
  const dir = igluDir([own, ...remote]);
  const result = generate({ schemas: [dir], validators: 'always' });
  const model = result.models.find((m) => m.latest.vendor === own.vendor)!;
  const validate = loadGeneratedModule(result.code)[result.names.get(model)!.validate] as (data: unknown) => unknown[];
  const compiled = new SchemaRegistry().load(dir).get(`iglu:${own.vendor}/${own.name}/jsonschema/1-0-0`)!;
  return (data) => ({ client: validate(data).length === 0, collector: compiled.validate(data, '').length === 0 });
}
