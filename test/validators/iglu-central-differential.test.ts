// A differential property test over every JSON Schema of Iglu Central: generated instances get the
// same verdict from the generated validator (the client) and the collector's registry.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SchemaRegistry } from '@tracklane/collector';
import { generate } from '@tracklane/codegen';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadGeneratedModule } from '../helpers/generated-module.js';

const CORPUS = path.join(import.meta.dirname, '../corpora/iglu-central/schemas');

/** The corpus's JSON Schemas only (the collector refuses the Avro and Thrift files it also holds). */
function jsonSchemaCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tracklane-iglu-'));
  for (const file of readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })) {
    if (file.split(path.sep)[2] === 'jsonschema' && file.split(path.sep).length === 4) cpSync(path.join(CORPUS, file), path.join(dir, file));
  }
  return dir;
}

/** Near-valid instances: objects with the schema's own property names (nested one level), each given a random JSON value, some left out. */
function instances(schema: Record<string, unknown>): fc.Arbitrary<unknown> {
  const properties = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', 'a', '2026-12-07T15:00:00Z', 'jane@example.com', '6f1c1b9e-2a54-4c8e-9a53-0d6f9e3b7a10', 'http://example.com/x'), fc.integer(), fc.double({ noNaN: true }));
  const nearValid = properties.length === 0 ? fc.dictionary(fc.string({ maxLength: 5 }), value, { maxKeys: 3 }) : fc.record(Object.fromEntries(properties.map((p) => [p, value])), { requiredKeys: [] });
  return fc.oneof({ arbitrary: nearValid, weight: 4 }, { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 });
}

describe('Iglu Central: client and collector, the same verdict on generated instances', () => {
  it('0 disagreements over every JSON Schema of the corpus', { timeout: 120_000 }, () => {
    const dir = jsonSchemaCopy();
    const result = generate({ schemas: [dir], validators: 'always' });
    const mod = loadGeneratedModule(result.code);
    const registry = new SchemaRegistry().load(dir);
    let checked = 0;
    let valid = 0;
    const disagreements: string[] = [];
    for (const model of result.models) {
      const validate = mod[result.names.get(model)!.validate] as (data: unknown) => unknown[];
      const collector = registry.get(model.latest.uri)!;
      fc.assert(fc.property(instances(model.latest.schema), (data) => {
        const client = validate(data).length === 0;
        checked++;
        if (client) valid++;
        if (client !== (collector.validate(data, '').length === 0)) disagreements.push(`${model.latest.uri}: ${JSON.stringify(data)}`);
      }), { numRuns: 20, seed: 20261207 });
    }
    process.stdout.write(`Iglu Central differential: ${result.models.length} schemas, ${checked} instances (${valid} valid), ${disagreements.length} disagreements\n`);
    expect(result.models.length).toBeGreaterThan(300);
    expect(valid).toBeGreaterThan(0);
    expect(disagreements).toEqual([]);
  });
});
