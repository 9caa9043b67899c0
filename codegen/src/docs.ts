import { join } from 'node:path';
import { aggregate, writeIfChanged } from './generate.js';
import { checkVersions } from './internal/check/check-versions.js';
import { buildRegistry } from './internal/docs/registry.js';
import { renderIndex } from './internal/docs/render-index.js';
import { renderSchemaPage } from './internal/docs/render-schema-page.js';
import { schemaFamilies } from './internal/docs/schema-family.js';
import { loadSchemas } from './internal/load/load-schemas.js';
import { assignNames, type NamingOverrides } from './internal/naming/assign-names.js';
import { groupModels } from './internal/naming/group-models.js';

/** Options of {@link buildDocs}. */
export interface DocsOptions {
  /** Schema directories in the Iglu layout. */
  schemas: readonly string[];
  /** Directory for index.html, schemas/<vendor>/<name>.html and registry.json. */
  out: string;
  /** Type names by `vendor/name`, as for generate. @default {} */
  naming?: NamingOverrides;
}

/**
 * Writes the static catalog (self-contained HTML, search included) and `registry.json`.
 * Nothing is written when a schema is broken.
 */
export function buildDocs(options: DocsOptions): { out: string; pages: number; files: string[] } {
  const load = loadSchemas(options.schemas);
  if (load.errors.length > 0) throw aggregate(load.errors);
  const models = groupModels(load.schemas);
  const names = assignNames(models, options.naming);
  const igluTypes = new Map<string, string>();
  for (const m of models) for (const v of m.versions) igluTypes.set(v.uri, names.get(m)!.type);
  const families = schemaFamilies(load.schemas, (s) => igluTypes.get(s.uri)!);
  const { steps } = checkVersions(load.schemas);
  const files: [string, string][] = [
    ['index.html', renderIndex(families)],
    ['registry.json', `${JSON.stringify(buildRegistry(load.schemas, igluTypes), null, 2)}\n`],
    ...families.map((f): [string, string] => [decodeURIComponent(f.href), renderSchemaPage(f, steps, igluTypes)]),
  ];
  for (const [path, content] of files) writeIfChanged(join(options.out, path), content);
  return { out: options.out, pages: families.length + 1, files: files.map(([p]) => p) };
}
