import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './typecheck.js';

/** A schema for tests: `self` is filled from `uri` (`vendor/name/M-R-A`). */
export type TestSchema = Record<string, unknown>;

export function selfDescribing(uri: string, body: TestSchema): TestSchema {
  const [vendor, name, version] = uri.split('/') as [string, string, string];
  return { $schema: 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#', self: { vendor, name, format: 'jsonschema', version }, ...body };
}

/** Writes schemas into a fresh Iglu-layout directory and returns it. Values may be raw text (for broken files). */
export function schemaDir(schemas: Record<string, TestSchema | string>): string {
  const dir = scratchDir('schemas');
  for (const [uri, body] of Object.entries(schemas)) {
    const [vendor, name, version] = uri.split('/') as [string, string, string];
    mkdirSync(join(dir, vendor, name, 'jsonschema'), { recursive: true });
    const text = typeof body === 'string' ? body : JSON.stringify(selfDescribing(uri, body), null, 2);
    writeFileSync(join(dir, vendor, name, 'jsonschema', version), text);
  }
  return dir;
}
